using System.Text.Json;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;
using PyChecks.Tests.Profiling;

namespace PyChecks.Tests.Tool;

/// <summary>
/// The tool's commands against a running host, over the host's real Unix socket: each command's output, its
/// <c>--json</c>, its exit code, and the errors a user meets (a check that is not configured, a token that cannot be
/// read or is not the host's).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ToolHostCommandsTests
{
    private const string BusyCheck = """
        import time
        from datadog_checks.base import AgentCheck

        def hot(until):
            while time.perf_counter() < until:
                pass

        class BusyCheck(AgentCheck):
            def check(self, instance):
                hot(time.perf_counter() + 0.3)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Status_ShowsTheHostsVersionPythonAndScheduler(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, socket) = ToolRun.StartHost(LocalApiTests.Folder());
        using (hosted)
        {
            Eventually.That(() => hosted.CommitsOf("probe") == 1, "the probe's first run");
            var (exit, output, error) = ToolRun.Run("status", "--socket", socket);
            Assert.That(exit, Is.Zero, error);
            string[] lines = output.Split('\n');
            Assert.That(lines[0], Does.Match($@"^  host         PyChecks {PyChecks.Tool.CommandLine.ToolCommandLine.Version}, pid {Environment.ProcessId}, up [\d.]+ (ms|s)"));
            Assert.That(lines, Does.Contain($"  control API  unix:{socket}"));
            Assert.That(lines, Has.One.StartWith($"  python       {PythonRuntime.Current!.Version} (cpython) from {ChildPython.Library}, found by "));
            Assert.That(lines, Does.Contain("  scheduler    enabled: 1 checks, 1 instances, 0 running, 0 stuck"));
            Assert.That(lines, Has.One.Match(@"^  memory       \d+(\.\d)? (B|KiB|MiB) native in use"));
            Assert.That(lines, Does.Contain("  load errors  none"));

            var (jsonExit, json, _) = ToolRun.Run("status", "--socket", socket, "--json");
            Assert.That(jsonExit, Is.Zero);
            using var document = JsonDocument.Parse(json);
            Assert.That(document.RootElement.GetProperty("processId").GetInt32(), Is.EqualTo(Environment.ProcessId), "the API's answer as it is");
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Checks_ListsEveryInstanceWithItsLastRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, socket) = ToolRun.StartHost(LocalApiTests.Folder().Config("broken", "instances: [{]\n"));
        using (hosted)
        {
            Eventually.That(() => hosted.CommitsOf("probe") == 1, "the probe's first run");
            string probe = hosted.StatusOf("probe").CheckId;
            var (exit, output, error) = ToolRun.Run("checks", "--socket", socket);
            Assert.That(exit, Is.Zero, error);
            string[] lines = output.Split('\n');
            Assert.That(lines[0], Is.EqualTo("Check instances (1)"));
            Assert.That(lines[1], Does.Match(@"^  CHECK ID\s+STATE\s+LAST OUTCOME\s+LAST RUN\s+DURATION\s+RUNS\s+ERRORS\s+INTERVAL$"));
            Assert.That(lines[2], Does.Match($@"^  {probe}\s+scheduled\s+ok\s+\d{{4}}-\d\d-\d\dT\S+\s+[\d.]+ (ms|s)\s+1\s+0\s+60 s$"));
            Assert.That(output, Does.Contain("\nnot loaded: ").And.Contain("broken.yaml"), "the configuration's load errors");
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Run_ShowsWhatEachInstanceSubmitted_AndANameNotConfiguredIsAnErrorWithSuggestions(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, socket) = ToolRun.StartHost(LocalApiTests.Folder());
        using (hosted)
        {
            var (exit, output, error) = ToolRun.Run("run", "probe", "--socket", socket);
            Assert.That(exit, Is.Zero, output + error);
            Assert.That(output, Does.Match(@"\n=== probe:[0-9a-f]{16} ===\nresult  OK in [\d.]+ (ms|s)\nMetrics \(1\)\n"));
            Assert.That(output, Does.Match(@"\n  probe\.value\s+gauge\s+1\.5\s+from:probe, env:test\s*\n"));
            Assert.That(output, Does.Match(@"\n  probe\.up\s+OK\s+from:probe, env:test\s+fine\n").Or.Match(@"\n  probe\.up\s+OK\s+env:test\s+fine\n"));
            Assert.That(output, Does.Contain("Events (1)").And.EndWith("\nprobe: 1 instance(s): 1 succeeded, 0 failed\n"));

            var (jsonExit, json, _) = ToolRun.Run("run", "probe", "--socket", socket, "--json");
            Assert.That(jsonExit, Is.Zero);
            using (var document = JsonDocument.Parse(json))
            {
                Assert.That(document.RootElement.GetProperty("instances")[0].GetProperty("metrics")[0].GetProperty("name").GetString(), Is.EqualTo("probe.value"));
            }

            var (typoExit, typoOutput, typoError) = ToolRun.Run("run", "prbe", "--socket", socket);
            Assert.That(typoExit, Is.EqualTo(1));
            Assert.That(typoOutput, Is.Empty);
            Assert.That(typoError, Is.EqualTo("error: no configured check is named prbe; did you mean probe? (404 check_not_found)\n"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Reload_ShowsWhatChanged_AndTokensThatCannotBeReadOrAreWrongAreErrors(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder();
        var (hosted, socket) = ToolRun.StartHost(folder);
        using (hosted)
        {
            folder.Check("second", "from datadog_checks.base import AgentCheck\nclass Second(AgentCheck):\n    def check(self, instance):\n        pass\n").Config("second", "instances: [{min_collection_interval: 60}]");
            var (exit, output, error) = ToolRun.Run("reload", "--socket", socket);
            Assert.That(exit, Is.Zero, output + error);
            Assert.That(output, Does.StartWith("Reloaded\n").And.Match(@"\n  added      second:[0-9a-f]{16}\n").And.Contain("\n  unchanged  1\n").And.Contain("\n  errors     0\n"));

            folder.Config("second", "instances: [{]\n");
            var (brokenExit, broken, _) = ToolRun.Run("reload", "--socket", socket);
            Assert.That(brokenExit, Is.EqualTo(1), "a configuration that does not load is a failure");
            Assert.That(broken, Does.Contain("\n  errors     1\n").And.Contain("second.yaml"));

            // The token file: a folder cannot be read; another token is refused by the host.
            string unreadable = Directory.CreateDirectory(Path.Combine(folder.Root, "not-a-file.token")).FullName;
            var (readExit, _, readError) = ToolRun.Run("reload", "--socket", socket, "--token-file", unreadable);
            Assert.That(readExit, Is.EqualTo(3));
            Assert.That(readError, Does.StartWith($"error: The token file {unreadable} cannot be read (").And.Contain("run pychecks as that user, or give --token-file PATH."));

            string wrong = Path.Combine(folder.Root, "wrong.token");
            File.WriteAllText(wrong, new string('0', 64));
            var (wrongExit, _, wrongError) = ToolRun.Run("reload", "--socket", socket, "--token-file", wrong);
            Assert.That(wrongExit, Is.EqualTo(1));
            Assert.That(wrongError, Does.StartWith($"error: The host at unix:{socket} refused the token in {wrong} (401 unauthorized)"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Cancel_InterruptsTheRunInProgress_AndAnIdleInstanceIsAnError(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, socket) = ToolRun.StartHost(LocalApiTests.Folder(gate: true));
        using (hosted)
        {
            Eventually.That(() => hosted.StatusOf("gate").State == CheckState.Running, "the gate's first run, blocked");
            string gate = hosted.StatusOf("gate").CheckId;
            var (exit, output, error) = ToolRun.Run("cancel", gate, "--socket", socket);
            Assert.That(exit, Is.Zero, error);
            Assert.That(output, Is.EqualTo($"{gate}: its run was interrupted\n"));
            Eventually.That(() => hosted.StatusOf("gate").LastOutcome == CheckRunOutcome.Cancelled, "the run ended cancelled");

            var (idleExit, _, idleError) = ToolRun.Run("cancel", gate, "--socket", socket);
            Assert.That(idleExit, Is.EqualTo(1));
            Assert.That(idleError, Is.EqualTo($"error: check instance {gate} has no run in progress (409 not_running)\n"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Memory_ShowsEveryFigureOfTheTracker(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (hosted, socket) = ToolRun.StartHost(LocalApiTests.Folder());
        using (hosted)
        {
            var (exit, output, error) = ToolRun.Run("memory", "--socket", socket);
            Assert.That(exit, Is.Zero, error);
            Assert.That(output, Does.StartWith("Memory at 20"));
            Assert.That(output, Does.Match(@"\n  native\.inUseBytes\s+\d+(\.\d)? (B|KiB|MiB) \(\d+\)\n"));
            Assert.That(output, Does.Match(@"\n  native\.allocations\s+\d+\n"));
            Assert.That(output, Does.Match(@"\n  python\.allocatedBlocks\s+\d+\n"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Profile_ShowsProgress_TopFunctions_AndWritesTheFormatOfTheExtension(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder().Check("busy", BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600}]");
        var (hosted, socket) = ToolRun.StartHost(folder);
        using (hosted)
        using (var client = ApiClient.OverSocket(socket, null))
        {
            Eventually.That(() => hosted.CommitsOf("busy") == 1, "the busy check's first run");
            string busy = hosted.StatusOf("busy").CheckId;
            string svg = Path.Combine(folder.Root, "busy.svg");
            var (exit, output, error) = ToolRun.Run("profile", busy, "--duration", "1", "--run", "--out", svg, "--socket", socket);

            Assert.That(exit, Is.Zero, output + error);
            string task = System.Text.RegularExpressions.Regex.Match(error, "^profile task (?<id>[0-9a-f]+) on ").Groups["id"].Value;
            Assert.That(task, Is.Not.Empty, error);
            Assert.That(output, Does.Match($@"(^|\n)sampling {busy}: \d s of 1 s, \d run\(s\), \d+ samples\n"), "progress, a line at a time when redirected");
            Assert.That(output, Does.Contain($"Profile {task} of {busy}: completed\n  runs      1\n"));
            Assert.That(output, Does.Match(@"\nFunctions by time spent in themselves\n  FUNCTION\s+SELF\s+SHARE\n  hot \(.*busy\.py\)\s+[\d.]+ (ms|s)\s+[\d.]+%\n"), output);
            Assert.That(output, Does.EndWith($"wrote svg to {svg}\n"));
            FlameGraphSvg.AssertMatches(File.ReadAllText(svg), client.Get($"profiles/{task}/result?format=folded").Text);

            string speedscope = Path.Combine(folder.Root, "busy.json");
            var (again, _, againError) = ToolRun.Run("profile", busy, "--duration", "1", "--run", "--out", speedscope, "--socket", socket);
            Assert.That(again, Is.Zero, againError);
            using var document = JsonDocument.Parse(File.ReadAllText(speedscope));
            Assert.That(document.RootElement.GetProperty("$schema").GetString(), Is.EqualTo("https://www.speedscope.app/file-format-schema.json"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Profile_StoppedByCtrlC_CancelsTheTask_AndKeepsWhatWasSampled(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder().Check("busy", BusyCheck).Config("busy", "instances: [{min_collection_interval: 1}]");
        var (hosted, socket) = ToolRun.StartHost(folder);
        using (hosted)
        using (var client = ApiClient.OverSocket(socket, null))
        {
            Eventually.That(() => hosted.CommitsOf("busy") >= 1, "the busy check's first run");
            string folded = Path.Combine(folder.Root, "busy.folded");
            using var ctrlC = new CancellationTokenSource();
            var profile = Task.Run(() => ToolRun.Run(["profile", hosted.StatusOf("busy").CheckId, "--duration", "600", "--out", folded, "--socket", socket], ctrlC.Token));
            Eventually.That(() => client.Get("profiles").Json.GetProperty("profiles").GetArrayLength() == 1, "the task started");
            int runs = hosted.CommitsOf("busy");
            Eventually.That(() => hosted.CommitsOf("busy") >= runs + 2, "two scheduled runs while sampling");
            ctrlC.Cancel();
            var (exit, output, error) = profile.GetAwaiter().GetResult();

            Assert.That(exit, Is.Zero, output + error);
            Assert.That(output, Does.Match(@"Profile [0-9a-f]+ of busy:[0-9a-f]+: cancelled\n"));
            Assert.That(File.ReadAllText(folded), Does.Match(@"(^|\n)[^\n]*;hot \([^\n]*busy\.py:\d+\) \d+\n"), "the folded stacks sampled before Ctrl+C");
        }
    });
}
