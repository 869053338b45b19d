using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Obfuscation;

/// <summary><c>datadog_agent</c>'s obfuscation functions, called from Python as checks call them.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ObfuscationBuiltinTests
{
    private const string Trivial = """
        from datadog_checks.base import AgentCheck
        class Trivial(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ObfuscationFunctions_AnswerAsTheAgent(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var host = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n").Start([new InMemorySender()]);
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("obfuscation", """
            import datadog_agent, json
            options = json.dumps({'return_json_metadata': True, 'table_names': True, 'collect_commands': True, 'collect_comments': True})
            with_metadata = json.loads(datadog_agent.obfuscate_sql("SELECT * FROM users WHERE id IN (1, 2, 3) /* by id */", options))
            plan = '{"Plan": {"Node Type": "Seq Scan", "Relation Name": "users", "Filter": "(id = 42)", "Total Cost": 12.5}}'
            results = {
                'plain': datadog_agent.obfuscate_sql("SELECT name FROM users WHERE name = 'x' AND age > 30"),
                'keyword options': datadog_agent.obfuscate_sql(query="SELECT a AS b FROM t", options='{"keep_sql_alias": true}'),
                'metadata query': with_metadata['query'],
                'metadata tables': with_metadata['metadata']['tables_csv'],
                'metadata commands': ','.join(with_metadata['metadata']['commands']),
                'metadata comments': ','.join(with_metadata['metadata']['comments']),
                'metadata procedures': repr(with_metadata['metadata']['procedures']),
                'plan obfuscated': datadog_agent.obfuscate_sql_exec_plan(plan),
                'plan normalized': datadog_agent.obfuscate_sql_exec_plan(plan, normalize=True),
                'plan normalize only when True': datadog_agent.obfuscate_sql_exec_plan(plan, normalize=1),
                'mongo': datadog_agent.obfuscate_mongodb_string('{"find": "customer", "filter": {"name": "Ann", "age": {"$gt": 30}}}'),
            }
            """);
        using var results = module.GetAttr("results");
        var answers = ((Dictionary<object, object?>)results.ToClr()!).ToDictionary(p => (string)p.Key, p => (string)p.Value!);
        Assert.Multiple(() =>
        {
            Assert.That(answers["plain"], Is.EqualTo("SELECT name FROM users WHERE name = ? AND age > ?"));
            Assert.That(answers["keyword options"], Is.EqualTo("SELECT a AS b FROM t"));
            Assert.That(answers["metadata query"], Is.EqualTo("SELECT * FROM users WHERE id IN ( ? )"));
            Assert.That(answers["metadata tables"], Is.EqualTo("users"));
            Assert.That(answers["metadata commands"], Is.EqualTo("SELECT"));
            Assert.That(answers["metadata comments"], Is.EqualTo("/* by id */"));
            Assert.That(answers["metadata procedures"], Is.EqualTo("None"));
            Assert.That(answers["plan obfuscated"], Is.EqualTo("""{"Plan":{"Node Type":"Seq Scan","Relation Name":"users","Filter":"( id = ? )","Total Cost":12.5}}"""));
            Assert.That(answers["plan normalized"], Is.EqualTo("""{"Plan":{"Node Type":"Seq Scan","Relation Name":"users","Filter":"( id = ? )","Total Cost":"?"}}"""));
            Assert.That(answers["plan normalize only when True"], Is.EqualTo(answers["plan obfuscated"]));
            Assert.That(answers["mongo"], Is.EqualTo("""{"find":"customer","filter":{"name":"?","age":{"$gt":"?"}}}"""), "whitespace goes, as in the Agent");
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void BadArgumentsAndFailedObfuscations_RaiseClearPythonErrors(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var host = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n").Start([new InMemorySender()]);
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("obfuscation_errors", """
            import datadog_agent
            cases = {
                'query not str': lambda: datadog_agent.obfuscate_sql({1: 2}),
                'query None': lambda: datadog_agent.obfuscate_sql(None, '{}'),
                'options None': lambda: datadog_agent.obfuscate_sql('SELECT 1', None),
                'no query': lambda: datadog_agent.obfuscate_sql(),
                'too many': lambda: datadog_agent.obfuscate_sql('a', '{}', 'c'),
                'unknown keyword': lambda: datadog_agent.obfuscate_sql('a', opts='{}'),
                'query twice': lambda: datadog_agent.obfuscate_sql('a', query='b'),
                'embedded NUL': lambda: datadog_agent.obfuscate_sql('SELECT \x00'),
                'lone surrogate': lambda: datadog_agent.obfuscate_sql('SELECT \ud800'),
                'empty query': lambda: datadog_agent.obfuscate_sql(''),
                'unreadable query': lambda: datadog_agent.obfuscate_sql("SELECT a FROM b WHERE a.x !* 2"),
                'options not JSON': lambda: datadog_agent.obfuscate_sql('SELECT 1', '{table_names: true}'),
                'option of the wrong type': lambda: datadog_agent.obfuscate_sql('SELECT 1', '{"table_names": "yes"}'),
                'go-sqllexer mode': lambda: datadog_agent.obfuscate_sql('SELECT 1', '{"obfuscation_mode": "obfuscate_and_normalize"}'),
                'unknown mode': lambda: datadog_agent.obfuscate_sql('SELECT 1', '{"obfuscation_mode": "fast"}'),
                'plan not str': lambda: datadog_agent.obfuscate_sql_exec_plan({}),
                'plan by keyword': lambda: datadog_agent.obfuscate_sql_exec_plan(plan='{}'),
                'plan invalid JSON': lambda: datadog_agent.obfuscate_sql_exec_plan('{"Plan": tru}'),
                'mongo empty': lambda: datadog_agent.obfuscate_mongodb_string(''),
                'mongo not str': lambda: datadog_agent.obfuscate_mongodb_string(3),
            }
            outcomes = {}
            for name, case in cases.items():
                try:
                    outcomes[name] = 'no error: ' + repr(case())
                except Exception as e:
                    outcomes[name] = '{}: {}'.format(type(e).__name__, e)
            """);
        using var outcomesObject = module.GetAttr("outcomes");
        var outcomes = ((Dictionary<object, object?>)outcomesObject.ToClr()!).ToDictionary(p => (string)p.Key, p => (string)p.Value!);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["query not str"], Is.EqualTo("TypeError: obfuscate_sql() argument 1 (query) must be str, not dict"));
            Assert.That(outcomes["query None"], Is.EqualTo("TypeError: obfuscate_sql() argument 1 (query) must be str, not NoneType"));
            Assert.That(outcomes["options None"], Is.EqualTo("TypeError: obfuscate_sql() argument 2 (options) must be str, not NoneType"));
            Assert.That(outcomes["no query"], Is.EqualTo("TypeError: obfuscate_sql() missing required argument 'query' (pos 1)"));
            Assert.That(outcomes["too many"], Is.EqualTo("TypeError: obfuscate_sql() takes at most 2 arguments (3 given)"));
            Assert.That(outcomes["unknown keyword"], Is.EqualTo("TypeError: 'opts' is an invalid keyword argument for obfuscate_sql()"));
            Assert.That(outcomes["query twice"], Is.EqualTo("TypeError: argument for obfuscate_sql() given by name ('query') and position (1)"));
            Assert.That(outcomes["embedded NUL"], Is.EqualTo("ValueError: obfuscate_sql() argument 1 (query): embedded null character"));
            Assert.That(outcomes["lone surrogate"], Does.StartWith("UnicodeEncodeError: "));
            Assert.That(outcomes["empty query"], Is.EqualTo("RuntimeError: result is empty"));
            Assert.That(outcomes["unreadable query"], Is.EqualTo("RuntimeError: at position 27: unexpected char \"*\" (42) after \"!\""));
            Assert.That(outcomes["options not JSON"], Is.EqualTo("RuntimeError: invalid character 't' looking for beginning of object key string"));
            Assert.That(outcomes["option of the wrong type"], Is.EqualTo("RuntimeError: json: cannot unmarshal string into Go struct field sqlConfig.table_names of type bool"));
            Assert.That(outcomes["go-sqllexer mode"], Does.StartWith("RuntimeError: obfuscation_mode 'obfuscate_and_normalize' (the Agent's go-sqllexer obfuscator) is not supported"));
            Assert.That(outcomes["unknown mode"], Is.EqualTo("RuntimeError: invalid obfuscation mode: fast"));
            Assert.That(outcomes["plan not str"], Is.EqualTo("TypeError: obfuscate_sql_exec_plan() argument 1 (plan) must be str, not dict"));
            Assert.That(outcomes["plan by keyword"], Is.EqualTo("TypeError: 'plan' is an invalid keyword argument for obfuscate_sql_exec_plan()"));
            Assert.That(outcomes["plan invalid JSON"], Is.EqualTo("RuntimeError: invalid character '}' in literal true (expecting 'e')"));
            Assert.That(outcomes["mongo empty"], Is.EqualTo("RuntimeError: Empty MongoDB command"));
            Assert.That(outcomes["mongo not str"], Is.EqualTo("TypeError: obfuscate_mongodb_string() argument 1 (command) must be str, not int"));
        });
    });
}
