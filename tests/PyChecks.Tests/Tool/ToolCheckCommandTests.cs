using System.Text.Json;
using NUnit.Framework;
using PyChecks.Tests.Docs;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Tool;

/// <summary>
/// <c>pychecks check</c>: the sample's command (tested in <c>Sample/</c>) as the tool runs it, with its JSON report
/// (<c>--json</c>, schema <c>pychecks-check/1</c>) and its tables on a terminal.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ToolCheckCommandTests
{
    private const string ChattyCheck = """
        from datadog_checks.base import AgentCheck

        class ChattyCheck(AgentCheck):
            runs = 0

            def check(self, instance):
                ChattyCheck.runs += 1
                self.gauge('chatty.gauge', 2.5, tags=['a:b'], hostname='h1')
                self.service_check('chatty.up', self.WARNING, message='slow')
                self.event({'msg_title': 'Deployed', 'msg_text': 'v2 is out', 'alert_type': 'success'})
                self.warning('answer took %d ms', 900)
                if ChattyCheck.runs == 2:
                    raise ConnectionError('database unreachable')
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Json_IsOneDocumentOfTheDocumentedSchema_WithEveryRunAndItsSubmissions(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("chatty", ChattyCheck).Config("chatty", "instances: [{tags: [env:test]}]\n");
        var (exit, output, _) = ToolRun.Run("check", "chatty", "--times", "2", "--json", "--python", ChildPython.Library, "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory);

        Assert.That(exit, Is.EqualTo(1), output);
        using var document = JsonDocument.Parse(output);
        var report = document.RootElement;
        Assert.That(JsonShape.Differences(report, "CheckCommandReport"), Is.Empty, "the members of the type docs/tool.md documents");
        Assert.That(report.GetProperty("schema").GetString(), Is.EqualTo("pychecks-check/1"));
        Assert.That(report.GetProperty("check").GetString(), Is.EqualTo("chatty"));
        Assert.That(report.GetProperty("python").GetProperty("libraryPath").GetString(), Is.EqualTo(ChildPython.Library));
        Assert.That(report.GetProperty("exitCode").GetInt32(), Is.EqualTo(1));

        var runs = report.GetProperty("runs").EnumerateArray().ToList();
        Assert.That(runs.Select(r => r.GetProperty("run").GetInt32()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(runs.Select(r => r.GetProperty("outcome").GetString()), Is.EqualTo(new[] { "ok", "error" }));
        var failed = runs[1];
        Assert.That(failed.GetProperty("error").GetString(), Is.EqualTo("database unreachable"));
        Assert.That(failed.GetProperty("traceback").GetString(), Does.Contain("ConnectionError: database unreachable"));
        var metric = failed.GetProperty("metrics")[0];
        Assert.That((metric.GetProperty("name").GetString(), metric.GetProperty("type").GetString(), metric.GetProperty("value").GetDouble(), metric.GetProperty("hostname").GetString()),
            Is.EqualTo(("chatty.gauge", "gauge", 2.5, "h1")));
        Assert.That(metric.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "a:b", "env:test" }));
        Assert.That(failed.GetProperty("serviceChecks")[0].GetProperty("status").GetString(), Is.EqualTo("warning"));
        Assert.That(failed.GetProperty("events")[0].GetProperty("title").GetString(), Is.EqualTo("Deployed"));
        Assert.That(failed.GetProperty("warnings")[0].GetString(), Is.EqualTo("answer took 900 ms"));
        Assert.That(runs[0].GetProperty("timeoutSeconds").GetDouble(), Is.EqualTo(15));

        var summary = report.GetProperty("summary");
        Assert.That((summary.GetProperty("instances").GetInt32(), summary.GetProperty("runs").GetInt32(), summary.GetProperty("succeeded").GetInt32(), summary.GetProperty("failed").GetInt32()),
            Is.EqualTo((1, 2, 1, 1)));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Json_OfACheckWithoutConfiguration_SaysWhereItLooked_AndExitsOne(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Config("hello", "instances: [{}]\n");
        var (exit, output, _) = ToolRun.Run("check", "helo", "--json", "--python", ChildPython.Library, "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory);

        Assert.That(exit, Is.EqualTo(1));
        using var document = JsonDocument.Parse(output);
        Assert.That(JsonShape.Differences(document.RootElement, "CheckCommandReport"), Is.Empty);
        Assert.That(document.RootElement.GetProperty("notConfigured").GetString(), Is.EqualTo($"No check named 'helo' is configured in {folder.ConfigDirectory}; did you mean 'hello'?"));
        Assert.That(document.RootElement.GetProperty("runs").GetArrayLength(), Is.Zero);
        Assert.That(document.RootElement.TryGetProperty("summary", out _), Is.False);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void OnATerminal_DrawsTables_InColour(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (exit, output) = OnTerminal();
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("\e["), "colours");
        Assert.That(output, Does.Contain("Metrics (1)").And.Contain("│ chatty.gauge │").And.Contain("Service checks (1)"), output);
        Assert.That(output, Does.Contain("chatty: 1 instance, 1 run: 1 succeeded, 0 failed"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void OnATerminal_WithNoColor_DrawsTheSameTablesWithoutEscapeCodes(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (exit, output) = OnTerminal("--no-color");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Not.Contain("\e[").And.Contain("│ chatty.gauge │").And.Contain("Metrics (1)"), output);
    });

    // One check command per process: CPython starts once.
    private static (int Exit, string Output) OnTerminal(params string[] more)
    {
        var folder = new CheckFolder().Check("chatty", ChattyCheck).Config("chatty", "instances: [{}]\n");
        var (exit, output, _) = ToolRun.OnTerminal(["check", "chatty", "--python", ChildPython.Library, "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory, .. more]);
        return (exit, output);
    }
}
