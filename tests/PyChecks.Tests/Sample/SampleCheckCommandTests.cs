using NUnit.Framework;
using PyChecks.Sample;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>
/// <c>check &lt;name&gt;</c> runs one check outside the scheduler and prints what each run submitted; its exit code
/// says whether every run succeeded.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SampleCheckCommandTests
{
    /// <summary>A check that submits one of everything, then raises on its second run.</summary>
    private const string ChattyCheck = """
        from datadog_checks.base import AgentCheck

        class ChattyCheck(AgentCheck):
            runs = 0

            def check(self, instance):
                ChattyCheck.runs += 1
                self.gauge('chatty.gauge', 2.5, tags=['a:b'], hostname='h1')
                self.monotonic_count('chatty.total', 10)
                self.service_check('chatty.up', self.WARNING, tags=['port:80'], message='slow\nanswer')
                self.event({'msg_title': 'Deployed', 'msg_text': 'v2 is out', 'alert_type': 'success', 'priority': 'low',
                            'source_type_name': 'ci', 'tags': ['team:core']})
                self.warning('answer took %d ms', 900)
                if ChattyCheck.runs == 2:
                    self.explode()

            def explode(self):
                raise ConnectionError('database unreachable')
        """;

    [TestCase(new string[0], "which check? give its name, e.g. 'check hello'")]
    [TestCase(new[] { "hello", "disk" }, "one check at a time: 'hello' and 'disk' were given")]
    [TestCase(new[] { "hello", "--times", "0" }, "--times must be a whole number of at least 1, not '0'")]
    [TestCase(new[] { "hello", "--times=many" }, "--times must be a whole number of at least 1, not 'many'")]
    [TestCase(new[] { "hello", "--times" }, "--times needs a value")]
    [TestCase(new[] { "hello", "--pause", "-5" }, "--pause must be a whole number of milliseconds, not '-5'")]
    [TestCase(new[] { "hello", "--log-level", "loud" }, "--log-level must be trace, debug, info, warning, error, critical or off, not 'loud'")]
    [TestCase(new[] { "hello", "--conf-dir", "/no/such/conf.d" }, "--conf-dir: no such directory: /no/such/conf.d")]
    [TestCase(new[] { "hello", "--verbose" }, "unknown option '--verbose'")]
    [TestCase(new[] { "hello", "--timeout", "0" }, "--timeout must be a number of seconds above 0 and at most 86400, not '0'")]
    [TestCase(new[] { "hello", "--timeout=soon" }, "--timeout must be a number of seconds above 0 and at most 86400, not 'soon'")]
    [TestCase(new[] { "hello", "--agent-config", "/no/such/datadog.yaml" }, "--agent-config: no such file: /no/such/datadog.yaml")]
    public void WrongArguments_ExitTwo_WithTheProblemAndTheUsage(string[] args, string problem)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CheckCommand.RunAsync(args, output, error).GetAwaiter().GetResult();
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitUsage));
        Assert.That(output.ToString(), Is.Empty);
        Assert.That(error.ToString(), Does.StartWith($"error: {problem}\n\nusage: PyChecks.Sample check <name> [options]"));
    }

    [Test]
    public void Help_PrintsTheUsage_AndExitsZero()
    {
        var output = new StringWriter();
        int exit = CheckCommand.RunAsync(["--help"], output, TextWriter.Null).GetAwaiter().GetResult();
        Assert.That(exit, Is.Zero);
        Assert.That(output.ToString(), Does.StartWith("usage: PyChecks.Sample check <name> [options]").And.Contain("--times <n>"));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Hello_PrintsItsGaugeInATable_AndExitsZero(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (exit, output, _) = Run(["hello"], o => SampleChecks.Configure(o, "http://127.0.0.1:9/health"));
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitSucceeded), output);
        string[] lines = output.Split('\n');
        Assert.That(lines[0], Does.StartWith("Python 3.").And.Contain(ChildPython.Library));
        Assert.That(lines, Has.One.Match(@"^=== hello:[0-9a-f]{16} · run 1 of 1 ===$"));
        Assert.That(lines, Has.One.EqualTo($"check   hello 1.0.0, every 15 s, python:{Path.Combine(SampleChecks.ChecksDirectory, "hello.py")}"));
        Assert.That(lines, Has.One.Match(@"^result  OK in \d+\.\d ms$"));
        int metrics = Array.IndexOf(lines, "Metrics (1)");
        Assert.That(metrics, Is.Positive, output);
        Assert.That(lines[metrics + 1], Is.EqualTo("  NAME         TYPE   VALUE  TAGS                           HOSTNAME"));
        Assert.That(lines[metrics + 2], Is.EqualTo("  hello.world  gauge      1  TAG_KEY:TAG_VALUE, env:sample"));
        Assert.That(lines, Does.Contain("Service checks (0)").And.Contain("Events (0)").And.Contain("Warnings (0)"));
        Assert.That(lines, Has.None.EqualTo("Error"));
        Assert.That(output, Does.EndWith("\nhello: 1 instance, 1 run: 1 succeeded, 0 failed\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Times3_PrintsEveryRun_WithServiceChecksEventsWarnings_AndTheTracebackOfTheFailedOne_AndExitsOne(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("chatty", ChattyCheck).Config("chatty", "instances: [{tags: [env:test]}]\n");
        var (exit, output, _) = Run(["chatty", "--times", "3", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed), output);

        string[] runs = output.Split("\n=== chatty:")[1..];
        Assert.That(runs, Has.Length.EqualTo(3), output);
        Assert.That(runs[0], Does.Match(@"^[0-9a-f]{16} · run 1 of 3 ===\n"));
        Assert.That(runs.Select(r => r.Split('\n')[2]), Has.Exactly(2).Match("^result  OK in ").And.Exactly(1).Match("^result  FAILED in "));

        string[] failed = runs[1].Split('\n');
        Assert.That(failed[2], Does.StartWith("result  FAILED in "));
        Assert.That(failed, Has.One.Match(@"^  chatty\.gauge\s+gauge\s+2\.5  a:b, env:test\s+h1$"), "samples submitted before the raise are shown");
        Assert.That(failed, Has.One.Match(@"^  chatty\.total\s+monotonic_count\s+10  env:test$"));
        Assert.That(failed, Has.One.Match(@"^  chatty\.up\s+WARNING  port:80, env:test\s+slow answer$"), "a service check with its status and message on one line");
        Assert.That(failed, Has.One.Match(@"^  Deployed\s+success\s+low\s+ci\s+team:core, env:test\s+v2 is out$"));
        int warnings = Array.IndexOf(failed, "Warnings (1)");
        Assert.That(failed[warnings + 1], Is.EqualTo("  answer took 900 ms"));
        int error = Array.IndexOf(failed, "Error");
        Assert.That(error, Is.GreaterThan(warnings));
        Assert.That(failed[error + 1], Is.EqualTo("  database unreachable"));
        Assert.That(failed[error + 2], Is.EqualTo("  Traceback (most recent call last):"));
        Assert.That(runs[1], Does.Contain("in explode").And.Contain("\n  ConnectionError: database unreachable\n"));
        Assert.That(runs[0] + runs[2], Does.Not.Contain("\nError\n"));
        Assert.That(output, Does.EndWith("\nchatty: 1 instance, 3 runs: 2 succeeded, 1 failed\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void EveryInstanceRuns_AndLogsGoToStandardError_FromTheChosenLevel(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("two", """
            from datadog_checks.base import AgentCheck
            class Two(AgentCheck):
                def check(self, instance):
                    self.log.info('checking %s', instance['name'])
                    self.log.debug('not shown at info')
                    self.gauge('two.n', 1)
            """).Config("two", "instances: [{name: a}, {name: b}]\n");
        var (exit, output, error) = Run(["two", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory, "--log-level", "info"]);
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitSucceeded), output + error);
        Assert.That(output, Does.Match(@"=== two:a:[0-9a-f]{16} · run 1 of 1 ===").And.Match(@"=== two:b:[0-9a-f]{16} · run 1 of 1 ==="));
        Assert.That(output, Does.EndWith("\ntwo: 2 instances, 2 runs: 2 succeeded, 0 failed\n"));
        Assert.That(error.Split('\n'), Does.Contain("[info] PyChecks.Checks.two: checking a").And.Contain("[info] PyChecks.Checks.two: checking b"));
        Assert.That(error, Does.Not.Contain("not shown"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Cancelling_InterruptsTheRunningCheck_StartsNoOtherRun_AndExitsOne(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("sleepy", """
            import time
            from datadog_checks.base import AgentCheck
            class Sleepy(AgentCheck):
                def check(self, instance):
                    self.gauge('sleepy.started', 1)
                    open(instance['marker'], 'w').close()
                    while True:
                        time.sleep(0.02)
            """);
        string marker = Path.Combine(folder.Root, "started");
        folder.Config("sleepy", $"instances: [{{marker: '{marker}'}}]\n");
        var output = new StringWriter();
        using var interrupt = new CancellationTokenSource();

        // As Ctrl+C does, once the run is under way (however long Python took to start).
        _ = Task.Run(() =>
        {
            SpinWait.SpinUntil(() => File.Exists(marker), TimeSpan.FromSeconds(60));
            interrupt.Cancel();
        });
        int exit = CheckCommand.RunAsync(
            ["sleepy", "--times", "3", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory],
            output, TextWriter.Null, o => o.Python = new PythonRuntimeOptions { Python = ChildPython.Library }, interrupt.Token).GetAwaiter().GetResult();
        string text = output.ToString();
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed), text);
        Assert.That(text, Does.Contain(" · run 1 of 3 ===").And.Not.Contain("run 2 of 3"));
        Assert.That(text, Does.Match(@"\nresult  INTERRUPTED in \d+\.\d ms\n"));
        Assert.That(text, Does.Contain("\n  sleepy.started  gauge      1\n"), "what was submitted before the interrupt is shown");
        Assert.That(text, Does.Contain("\n  pychecks.errors.CheckInterrupt\n"));
        Assert.That(text, Does.EndWith("\nStopped.\n\nsleepy: 1 instance, 1 run: 0 succeeded, 1 failed\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AgentConfigFile_IsWhatGetConfigAnswers_OverTheAgentsDefaults(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("agentcfg", """
                import datadog_agent
                from datadog_checks.base import AgentCheck

                class AgentCfg(AgentCheck):
                    def check(self, instance):
                        proxy = datadog_agent.get_config('proxy')
                        self.gauge('agent.config', datadog_agent.get_config('dogstatsd_port'), tags=[
                            'https:' + proxy['https'],
                            'no_proxy:' + '|'.join(proxy['no_proxy']),
                            'metadata:' + str(datadog_agent.get_config('enable_metadata_collection')),
                            'ssl:' + str(datadog_agent.get_config('skip_ssl_validation')),
                        ])
                """)
            .Config("agentcfg", "instances: [{}]\n");
        string agentConfig = Path.Combine(folder.Root, "datadog.yaml");
        File.WriteAllText(agentConfig, "proxy:\n  https: http://proxy:3128\n  no_proxy: [localhost]\nenable_metadata_collection: false\ndogstatsd_port: 8126\n");

        var (exit, output, _) = Run(["agentcfg", "--agent-config", agentConfig, "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);

        Assert.That(exit, Is.EqualTo(CheckCommand.ExitSucceeded), output);
        Assert.That(output, Does.Contain("agent.config  gauge   8126  https:http://proxy:3128, no_proxy:localhost, metadata:False, ssl:False"));
    });

    [Test]
    public void AgentConfigFile_NotAMapping_ExitsTwo_NamingTheFile()
    {
        var folder = new CheckFolder();
        string agentConfig = Path.Combine(folder.Root, "datadog.yaml");
        File.WriteAllText(agentConfig, "- log_level: debug\n");

        var error = new StringWriter();
        int exit = CheckCommand.RunAsync(["hello", "--agent-config", agentConfig], TextWriter.Null, error).GetAwaiter().GetResult();

        Assert.That(exit, Is.EqualTo(CheckCommand.ExitUsage));
        Assert.That(error.ToString(), Is.EqualTo($"error: --agent-config: {agentConfig}, line 1, column 1: an Agent configuration is a mapping of keys (as datadog.yaml), not a list or a single value\n"));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ACheckWithoutConfiguration_ExitsOne_AndSaysWhereItLooked(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("lonely", "from datadog_checks.base import AgentCheck\nclass Lonely(AgentCheck):\n    pass\n");
        var (exit, output, _) = Run(["lonely", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed));
        Assert.That(output, Does.EndWith($"\nNo configuration for check 'lonely' in {folder.ConfigDirectory}: add lonely.yaml with at least one instance.\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ACheckThatCannotLoad_ExitsOne_WithTheLoaderErrors_AndOtherBrokenChecksDoNotMatter(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Config("ghost", "instances: [{}]\n")
            .Check("fine", "from datadog_checks.base import AgentCheck\nclass Fine(AgentCheck):\n    def check(self, instance):\n        pass\n")
            .Config("fine", "instances: [{}]\n")
            .Config("broken", "instances: [{]\n");
        var (exit, output, _) = Run(["ghost", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed));
        Assert.That(output, Does.Contain("\nNot loaded: Could not load check 'ghost':\n[python] datadog_checks.ghost: no such module\nghost: no such module\n"));
        Assert.That(output, Does.Not.Contain("broken").And.Not.Contain("fine"));
        Assert.That(output, Does.Not.Contain("No configuration"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ABadConfigurationFileOfTheCheck_ExitsOne_NamingTheFileAndLine(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("picky", "from datadog_checks.base import AgentCheck\nclass Picky(AgentCheck):\n    def check(self, instance):\n        pass\n")
            .Config("picky", "instances:\n  - tags: env:dev\n");
        var (exit, output, _) = Run(["picky", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);
        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed));
        Assert.That(output, Does.Contain($"\nNot loaded: {Path.Combine(folder.ConfigDirectory, "picky.yaml")}, line 2, column 11: instance 1: 'tags' must be a list of strings"));
    });

    internal static (int Exit, string Output, string Error) Run(string[] args, Action<PyChecksOptions>? configure = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CheckCommand.RunAsync(args, output, error, o =>
        {
            configure?.Invoke(o);
            o.Python = new PythonRuntimeOptions { Python = ChildPython.Library };
        }).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }
}
