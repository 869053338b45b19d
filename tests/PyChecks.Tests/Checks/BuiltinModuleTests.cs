using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>The built-in modules validate what checks pass them and answer from the host's options.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class BuiltinModuleTests
{
    private const string Trivial = """
        from datadog_checks.base import AgentCheck
        class Trivial(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void BadArgumentsToEveryAggregatorFunction_RaiseTheNamedPythonExceptions(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("bad_args", $$"""
            import aggregator
            ID = '{{check.Id}}'
            G = aggregator.GAUGE
            cases = {
                'metric name not str': lambda: aggregator.submit_metric(None, ID, G, 3, 1.0, [], ''),
                'metric value not a number': lambda: aggregator.submit_metric(None, ID, G, 'm', 'x', [], ''),
                'metric tags not a sequence': lambda: aggregator.submit_metric(None, ID, G, 'm', 1.0, 5, ''),
                'metric tags a str': lambda: aggregator.submit_metric(None, ID, G, 'm', 1.0, 'a:b', ''),
                'metric type unknown': lambda: aggregator.submit_metric(None, ID, 42, 'm', 1.0, [], ''),
                'metric type not int': lambda: aggregator.submit_metric(None, ID, 'gauge', 'm', 1.0, [], ''),
                'metric too few arguments': lambda: aggregator.submit_metric(None, ID, G, 'm'),
                'metric check id not str': lambda: aggregator.submit_metric(None, 7, G, 'm', 1.0, [], ''),
                'metric hostname not str': lambda: aggregator.submit_metric(None, ID, G, 'm', 1.0, [], 5),
                'service check status out of range': lambda: aggregator.submit_service_check(None, ID, 'sc', 9, [], '', ''),
                'service check name not str': lambda: aggregator.submit_service_check(None, ID, None, 0, [], '', ''),
                'service check tags not a sequence': lambda: aggregator.submit_service_check(None, ID, 'sc', 0, 3.5, '', ''),
                'event not a dict': lambda: aggregator.submit_event(None, ID, ['msg_title']),
                'event title not str': lambda: aggregator.submit_event(None, ID, {'msg_title': 5}),
                'event tags not a sequence': lambda: aggregator.submit_event(None, ID, {'tags': 1}),
                'bucket value not int': lambda: aggregator.submit_histogram_bucket(None, ID, 'h', 1.5, 0.0, 1.0, True, '', []),
                'bucket bound not a number': lambda: aggregator.submit_histogram_bucket(None, ID, 'h', 1, 'low', 1.0, True, '', []),
                'bucket tags not a sequence': lambda: aggregator.submit_histogram_bucket(None, ID, 'h', 1, 0.0, 1.0, True, '', None),
            }
            outcomes = {}
            for name, case in cases.items():
                try:
                    case()
                    outcomes[name] = 'no error'
                except Exception as e:
                    outcomes[name] = '{}: {}'.format(type(e).__name__, e)
            """);
        using var outcomesObject = module.GetAttr("outcomes");
        var outcomes = ((Dictionary<object, object?>)outcomesObject.ToClr()!).ToDictionary(p => (string)p.Key, p => (string)p.Value!);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["metric name not str"], Is.EqualTo("TypeError: submit_metric() argument 4 (name) must be str, not int"));
            Assert.That(outcomes["metric value not a number"], Is.EqualTo("TypeError: submit_metric() argument 5 (value) must be a real number, not str"));
            Assert.That(outcomes["metric tags not a sequence"], Is.EqualTo("TypeError: tags must be a sequence"));
            Assert.That(outcomes["metric tags a str"], Is.EqualTo("TypeError: tags must be a sequence"));
            Assert.That(outcomes["metric type unknown"], Does.StartWith("ValueError: submit_metric() argument 3 (mtype) must be one of aggregator.GAUGE"));
            Assert.That(outcomes["metric type not int"], Is.EqualTo("TypeError: submit_metric() argument 3 (mtype) must be int, not str"));
            Assert.That(outcomes["metric too few arguments"], Is.EqualTo("TypeError: submit_metric() takes from 7 to 8 positional arguments (4 given)"));
            Assert.That(outcomes["metric check id not str"], Is.EqualTo("TypeError: submit_metric() argument 2 (check_id) must be str, not int"));
            Assert.That(outcomes["metric hostname not str"], Is.EqualTo("TypeError: submit_metric() argument 7 (hostname) must be str, not int"));
            Assert.That(outcomes["service check status out of range"], Does.StartWith("ValueError: submit_service_check() argument 4 (status) must be 0 (OK)"));
            Assert.That(outcomes["service check name not str"], Is.EqualTo("TypeError: submit_service_check() argument 3 (name) must be str, not NoneType"));
            Assert.That(outcomes["service check tags not a sequence"], Is.EqualTo("TypeError: tags must be a sequence"));
            Assert.That(outcomes["event not a dict"], Is.EqualTo("TypeError: event must be a dict"));
            Assert.That(outcomes["event title not str"], Is.EqualTo("TypeError: event field 'msg_title' must be str, not int"));
            Assert.That(outcomes["event tags not a sequence"], Is.EqualTo("TypeError: tags must be a sequence"));
            Assert.That(outcomes["bucket value not int"], Is.EqualTo("TypeError: submit_histogram_bucket() argument 4 (value) must be int, not float"));
            Assert.That(outcomes["bucket bound not a number"], Is.EqualTo("TypeError: submit_histogram_bucket() argument 5 (lower_bound) must be a real number, not str"));
            Assert.That(outcomes["bucket tags not a sequence"], Is.EqualTo("TypeError: tags must be a sequence"));
        });
        Assert.That(sender.Metrics, Is.Empty, "nothing invalid reached the sender");
        Assert.That(sender.Events, Is.Empty);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void NonStrTags_AreDropped_AndAnUnknownCheckIdIsNotDelivered(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{tags: ['env:prod']}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("tags", $$"""
            import aggregator
            aggregator.submit_metric(None, '{{check.Id}}', aggregator.GAUGE, 'm', 1, ('a:1', None, 3, b'b:2', ['x'], 'env:prod'), '')
            aggregator.submit_metric(None, 'nobody:0000', aggregator.GAUGE, 'lost', 1, [], '')
            """);
        var metric = sender.Metrics.Single();
        Assert.That(metric.Name, Is.EqualTo("m"));
        Assert.That(metric.Tags, Is.EqualTo(new[] { "a:1", "b:2", "env:prod" }), "non-str items dropped; the configured tag appears once");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DatadogAgentModule_AnswersFromTheHostOptions(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        using var host = folder.Start([], o =>
        {
            o.Hostname = "web-1";
            o.AgentVersion = "7.52.0";
            o.ClusterName = "prod-eu";
            o.HostTags["system"] = ["env:prod", "role:web"];
            o.AgentConfig.Values["enable_metadata_collection"] = true;
            o.AgentConfig.Values["proxy"] = new Dictionary<string, object?> { ["http"] = "http://proxy:3128" };
        });
        var check = CheckFolder.LoadAll(host).Single();
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("agent", $$"""
            import datadog_agent, json
            answers = {
                'version': datadog_agent.get_version(),
                'hostname': datadog_agent.get_hostname(),
                'cluster': datadog_agent.get_clustername(),
                'host_tags': json.loads(datadog_agent.get_host_tags()),
                'metadata': datadog_agent.get_config('enable_metadata_collection'),
                'proxy': datadog_agent.get_config('proxy'),
                'missing': datadog_agent.get_config('no_such_key'),
                'headers': datadog_agent.headers({}, http_host='example.com'),
                'tracemalloc': datadog_agent.tracemalloc_enabled(),
                'started': datadog_agent.get_process_start_time() > 0,
            }
            datadog_agent.set_check_metadata('{{check.Id}}', 'version.raw', '1.2.3')
            """);
        using var answersObject = module.GetAttr("answers");
        var answers = (Dictionary<object, object?>)answersObject.ToClr()!;
        Assert.Multiple(() =>
        {
            Assert.That(answers["version"], Is.EqualTo("7.52.0"));
            Assert.That(answers["hostname"], Is.EqualTo("web-1"));
            Assert.That(answers["cluster"], Is.EqualTo("prod-eu"));
            Assert.That(((Dictionary<object, object?>)answers["host_tags"]!)["system"], Is.EqualTo(new List<object?> { "env:prod", "role:web" }));
            Assert.That(answers["metadata"], Is.EqualTo(true));
            Assert.That(((Dictionary<object, object?>)answers["proxy"]!)["http"], Is.EqualTo("http://proxy:3128"));
            Assert.That(answers["missing"], Is.Null);
            var headers = (Dictionary<object, object?>)answers["headers"]!;
            Assert.That(headers["User-Agent"], Is.EqualTo("Datadog Agent/7.52.0"));
            Assert.That(headers["Host"], Is.EqualTo("example.com"));
            Assert.That(answers["tracemalloc"], Is.EqualTo(false));
            Assert.That(answers["started"], Is.EqualTo(true));
        });
        Assert.That(check.Metadata["version.raw"], Is.EqualTo("1.2.3"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PersistentCache_SurvivesAHostRestart(PythonInstall install)
    {
        install.RequirePresent();
        string cache = Directory.CreateTempSubdirectory("pychecks-cache").FullName;
        // Same check, same instance (so the same check id) in two processes: the first writes, the second only reads.
        Isolated.Run(install, RunCacheCheck, new Dictionary<string, string?> { ["CACHE_DIR"] = cache, ["CACHE_MODE"] = "write" });
        Isolated.Run(install, RunCacheCheck, new Dictionary<string, string?> { ["CACHE_DIR"] = cache, ["CACHE_MODE"] = "read" });
    }

    private static void RunCacheCheck()
    {
        var folder = new CheckFolder().Check("cached", """
            import os
            from datadog_checks.base import AgentCheck
            class Cached(AgentCheck):
                def check(self, instance):
                    if os.environ['CACHE_MODE'] == 'write':
                        self.write_persistent_cache('cursor', 'offset=42 ✓')
                    self.service_check('cache', AgentCheck.OK, message=self.read_persistent_cache('cursor'))
            """).Config("cached", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.PersistentCacheDirectory = Environment.GetEnvironmentVariable("CACHE_DIR"));
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(sender.ServiceChecks.Single().Message, Is.EqualTo("offset=42 ✓"));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonLogging_ReachesTheHostLogger_UnderTheChecksCategory(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("chatty", """
            import logging
            from datadog_checks.base import AgentCheck
            class Chatty(AgentCheck):
                def check(self, instance):
                    self.log.info('collected %d rows', 12)
                    self.log.error('lost connection')
                    logging.getLogger('urllib3.pool').warning('retrying')
            """).Config("chatty", "instances: [{}]\n");
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var host = folder.Start([], loggerFactory: factory);
        var result = CheckFolder.LoadAll(host).Single().RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(logs.Entries, Does.Contain(("PyChecks.Checks.chatty", LogLevel.Information, "collected 12 rows")));
        Assert.That(logs.Entries, Does.Contain(("PyChecks.Checks.chatty", LogLevel.Error, "lost connection")));
        Assert.That(logs.Entries, Does.Contain(("PyChecks.Python.urllib3.pool", LogLevel.Warning, "retrying")));
    });
}
