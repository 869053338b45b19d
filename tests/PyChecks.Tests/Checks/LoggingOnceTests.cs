using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// Every Python log record reaches the host's <see cref="ILogger"/> exactly once, at its level, with PyChecks' own
/// <c>AgentCheck</c> and with the real Datadog toolkit's (which puts its own forwarding handler on the root logger and
/// sets the root level from <c>get_config('log_level')</c>); debug records arrive only when the host enables Debug.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LoggingOnceTests
{
    private const string LevelVariable = "PYCHECKS_TEST_HOST_LEVEL";
    private const string ToolkitVariable = "PYCHECKS_TEST_TOOLKIT_PATHS";

    /// <summary>A check that logs once at every level, through its own logger and through another one.</summary>
    private const string ChattyLogs = """
        import logging
        import datadog_agent
        from datadog_checks.base import AgentCheck

        class Chatty(AgentCheck):
            def check(self, instance):
                self.log.debug('debug line')
                self.log.info('info line')
                self.log.warning('warning line')
                self.log.error('error line')
                logging.getLogger('other.lib').info('library line')
                self.gauge('chatty.log_level', 1, tags=['log_level:' + str(datadog_agent.get_config('log_level')),
                                                        'toolkit:' + str(AgentCheck.__module__)])
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OwnAgentCheck_HostEnablesDebug_EachRecordOnceAtItsLevel(PythonInstall install)
        => Isolated.Run(install, Scenario, new Dictionary<string, string?> { [LevelVariable] = "Debug" });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OwnAgentCheck_HostEnablesInformation_EachRecordOnce_NoDebug(PythonInstall install)
        => Isolated.Run(install, Scenario, new Dictionary<string, string?> { [LevelVariable] = "Information" });

    [Test]
    public void ToolkitAgentCheck_HostEnablesDebug_EachRecordOnceAtItsLevel()
        => Isolated.Run(RequireToolkit(out var environment), Scenario, With(environment, "Debug"));

    [Test]
    public void ToolkitAgentCheck_HostEnablesInformation_EachRecordOnce_NoDebug()
        => Isolated.Run(RequireToolkit(out var environment), Scenario, With(environment, "Information"));

    private static Dictionary<string, string?> With(Dictionary<string, string?> environment, string level)
        => new(environment) { [LevelVariable] = level };

    /// <summary>
    /// Debian's 3.11 with the toolkit, its <c>binary</c> dependency and pydantic 2 (taken from pyenv's 3.11, built for any 3.11)
    /// on <c>sys.path</c>; skipped with the reason when one of them is absent.
    /// </summary>
    private static PythonInstall RequireToolkit(out Dictionary<string, string?> environment)
    {
        var install = PythonInstall.All.Single(i => i.Label.EndsWith("Debian", StringComparison.Ordinal)).RequirePresent();
        environment = new Dictionary<string, string?>
        {
            [ToolkitVariable] = string.Join(Path.PathSeparator, DatadogSources.ToolkitSearchPaths()),
        };
        return install;
    }

    private static void Scenario()
    {
        var hostLevel = Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable(LevelVariable)!);
        string? toolkit = Environment.GetEnvironmentVariable(ToolkitVariable);
        using var recording = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(recording).SetMinimumLevel(hostLevel));
        var recorder = new InMemorySender();
        var folder = new CheckFolder().Check("chatty", ChattyLogs).Config("chatty", "instances: [{}]\n");
        using var host = folder.Start([recorder], o =>
        {
            if (toolkit is not null)
            {
                foreach (string path in toolkit.Split(Path.PathSeparator))
                {
                    o.Python.SearchPaths.Add(path);
                }
            }
        }, factory);
        var check = CheckFolder.LoadAll(host).Single();

        var result = check.RunAsync().GetAwaiter().GetResult();

        Assert.That(result.Error, Is.Null);
        var tags = recorder.Metrics.Single(m => m.Name == "chatty.log_level").Tags;
        Assert.That(tags, Does.Contain(hostLevel == LogLevel.Debug ? "log_level:debug" : "log_level:info"), "log_level follows the host's");
        Assert.That(tags, Does.Contain(toolkit is null ? "toolkit:pychecks.checks" : "toolkit:datadog_checks.base.checks.base"), "the AgentCheck under test");

        var entries = recording.Entries.Where(e => e.Message.Contains(" line", StringComparison.Ordinal)).ToList();
        var expected = new List<(string Category, LogLevel Level, string Line)>
        {
            ("PyChecks.Checks.chatty", LogLevel.Information, "info line"),
            ("PyChecks.Checks.chatty", LogLevel.Warning, "warning line"),
            ("PyChecks.Checks.chatty", LogLevel.Error, "error line"),
            ("PyChecks.Python.other.lib", LogLevel.Information, "library line"),
        };
        if (hostLevel == LogLevel.Debug)
        {
            expected.Insert(0, ("PyChecks.Checks.chatty", LogLevel.Debug, "debug line"));
        }

        Assert.That(
            entries.Select(e => (e.Category, e.Level, Line: expected.Select(x => x.Line).FirstOrDefault(e.Message.EndsWith) ?? e.Message)),
            Is.EqualTo(expected),
            string.Join("\n", recording.Entries.Select(e => $"{e.Category} {e.Level} {e.Message}")));
    }
}
