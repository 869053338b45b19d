using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Checks.Isolation;
using PyChecks.Profiling;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Profiling;

/// <summary>
/// Profiling checks that run in worker processes: the worker samples them with its own profiler and the host merges
/// what it sends, so a task on such a check has the same states, stacks and formats as one in process; a task ends
/// failed, saying how, with its worker; and what the worker sends is checked before it is merged.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ProcessProfilingTests
{
    // Spins for as many seconds as its file says (none without the file), after writing its pid.
    private const string SpinnerCheck = """
        import os, time
        from datadog_checks.base import AgentCheck

        def spin(until):
            while time.perf_counter() < until:
                pass

        class SpinnerCheck(AgentCheck):
            def check(self, instance):
                with open(instance['pid_file'], 'w') as f:
                    f.write(str(os.getpid()))
                if os.path.exists(instance['seconds_file']):
                    with open(instance['seconds_file']) as f:
                        spin(time.perf_counter() + float(f.read()))
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Profile_OfACheckInAWorkerProcess_IsSampledThere_AndReadsLikeTheSameCheckInProcess(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("busy", ProfilerTests.BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600}]")
            .Check("busy_worker", ProfilerTests.BusyCheck).Config("busy_worker", "instances: [{min_collection_interval: 3600, isolation: process}]");
        using var hosted = HostedChecks.Start(folder, o => o.WorkerProcesses.Count = 1, fakeTime: false);
        Eventually.That(() => hosted.CommitsOf("busy") == 1 && hosted.CommitsOf("busy_worker") == 1, "the first scheduled runs", seconds: 60);
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        Assert.That(hosted.Scheduler.Checks.Single(c => c.Name == "busy_worker").GetType().Name, Is.EqualTo("ProcessCheck"), "busy_worker runs in a worker process");
        Assert.That(hosted.Scheduler.Checks.Single(c => c.Name == "busy").GetType().Name, Is.EqualTo("PythonCheck"));

        var shapes = new Dictionary<string, string[]>();
        foreach (string name in new[] { "busy_worker", "busy" })
        {
            bool inWorker = name == "busy_worker";
            string checkId = hosted.StatusOf(name).CheckId;
            var task = profiler.StartAsync(new ProfileRequest { CheckId = checkId, Duration = TimeSpan.FromSeconds(2) }).GetAwaiter().GetResult();
            Assert.That(task.State, Is.EqualTo(ProfileTaskState.Running), name);
            Assert.That(task.StartedAt, Is.Not.Null);
            Assert.That(profiler.ListTasks()[0].Id, Is.EqualTo(task.Id));
            var conflict = Assert.ThrowsAsync<ProfileRequestException>(() => profiler.StartAsync(new ProfileRequest { CheckId = checkId }))!;
            Assert.That((conflict.Error, conflict.ActiveTaskId), Is.EqualTo((ProfileRequestError.Conflict, task.Id)), "one active task per check, wherever it runs");

            // Runs one after the other for the task's ~2 s.
            int dispatched = 0;
            while (profiler.GetTask(task.Id)!.IsActive)
            {
                Assert.That(hosted.Scheduler.RunOnceAsync(name).GetAwaiter().GetResult()!.Instances.Single().Result.Succeeded, Is.True, name);
                dispatched++;
                if (inWorker)
                {
                    Assert.That(profiler.SamplerRunning, Is.False, "the worker samples its check: the host's sampler thread never starts");
                    var running = profiler.GetTask(task.Id)!;
                    if (running.IsActive)
                    {
                        Assert.That(running.Runs, Is.EqualTo(dispatched), "each run's samples reach the host before its end does");
                        Assert.That(running.Quality.Samples, Is.GreaterThan(0), running.ToString());
                    }
                }
            }

            Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, $"the task on {name} completes after its duration");
            var result = profiler.GetResult(task.Id)!;
            var ended = result.Task;
            var quality = ended.Quality;
            Assert.That(ended.Runs, Is.InRange(Math.Max(dispatched - 1, 3), dispatched), $"{name}: runs dispatched while the task ran ({dispatched} in all)");
            Assert.That(ended.Message, Does.StartWith("The task's duration (2 s) elapsed."));
            Assert.That(ended.EndedAt - ended.StartedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.99)));
            // Up to ~200 samples at 100 Hz; far fewer when the machine is busy (the suite runs in parallel).
            Assert.That(quality.Samples, Is.GreaterThan(15), $"{name}: {quality}");
            Assert.That(quality.AchievedHz, Is.InRange(8, 120), $"{name}: {quality}");
            Assert.That(quality.SampledTime.TotalSeconds, Is.InRange(0.25 * (ended.Runs - 1), (0.3 * ended.Runs) + 1), $"{name}: the weights cover the runs' time (the last one may be cut short)");

            // Stacks root first ending in the check's own functions, hot() with most of the time, from the check's file.
            string folded = result.ToFolded();
            var lines = ProfilerTests.ParseFolded(folded);
            double total = lines.Sum(l => l.Weight);
            double hot = lines.Where(l => l.Frames[^1].StartsWith("hot (", StringComparison.Ordinal)).Sum(l => l.Weight) / total;
            double cold = lines.Where(l => l.Frames[^1].StartsWith("cold (", StringComparison.Ordinal)).Sum(l => l.Weight) / total;
            Assert.That(lines[0].Frames[^1], Does.StartWith("hot (").And.Contain($"{name}.py:"), $"{name}: the heaviest stack ends in hot():\n{folded}");
            // 80 % and 20 %; sampled at GIL hand-offs on a busy machine, the shares wander some.
            Assert.That(hot, Is.InRange(0.55, 0.97), $"{name}: hot() has 80 % of the time:\n{folded}");
            Assert.That(cold, Is.InRange(0.03, 0.40).And.LessThan(hot / 2), $"{name}: cold() has 20 % of the time:\n{folded}");
            string checkFrame = PythonRuntime.Current!.Version.Minor >= 11 ? "BusyCheck.check (" : "check (";
            Assert.That(lines[0].Frames, Has.Some.StartsWith(checkFrame), folded);

            // The four formats, from the merged data: speedscope and PyChecks' JSON index the same frame table.
            Assert.That(FlameGraphSvg.AssertMatches(ProfilerTests.Write(result, ProfileFormat.Svg), folded), Is.GreaterThan(3));
            using var speedscope = JsonDocument.Parse(ProfilerTests.Write(result, ProfileFormat.Speedscope));
            var profile = speedscope.RootElement.GetProperty("profiles")[0];
            Assert.That(profile.GetProperty("samples").GetArrayLength(), Is.EqualTo(quality.Samples));
            Assert.That(profile.GetProperty("endValue").GetInt64(), Is.EqualTo(profile.GetProperty("weights").EnumerateArray().Sum(w => w.GetInt64())));
            using var native = JsonDocument.Parse(ProfilerTests.Write(result, ProfileFormat.Json));
            Assert.That(native.RootElement.GetProperty("task").GetProperty("state").GetString(), Is.EqualTo("completed"));
            var runs = native.RootElement.GetProperty("runs");
            Assert.That(runs.GetArrayLength(), Is.EqualTo(ended.Runs));
            int frameCount = native.RootElement.GetProperty("frames").GetArrayLength();
            Assert.That(native.RootElement.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("id").GetInt32()), Is.EqualTo(Enumerable.Range(0, frameCount)));
            foreach (var run in runs.EnumerateArray())
            {
                var snapshots = run.GetProperty("snapshots").EnumerateArray().ToList();
                Assert.That(snapshots.Select(s => s.GetProperty("sequence").GetInt32()), Is.EqualTo(Enumerable.Range(0, snapshots.Count)));
                Assert.That(snapshots.All(s => s.GetProperty("frames").EnumerateArray().All(f => f.GetInt32() < frameCount)), Is.True);
            }

            // The shapes that carry the time, function names only (files differ by the check's name).
            var byFunction = ProfilerTests.ParseFolded(result.ToFolded(includeLines: false))
                .Select(l => (Shape: string.Join(';', l.Frames.Select(f => f[..f.IndexOf(" (", StringComparison.Ordinal)])), l.Weight))
                .GroupBy(l => l.Shape, l => l.Weight).ToList();
            shapes[name] = [.. byFunction.Where(g => g.Sum() > total * 0.05).Select(g => g.Key).Order(StringComparer.Ordinal)];
        }

        Assert.That(shapes["busy_worker"], Is.EqualTo(shapes["busy"]), "the same stacks in a worker process as in process");
        Assert.That(shapes["busy"], Has.Length.EqualTo(2));
        Eventually.That(() => !profiler.SamplerRunning, "the sampler thread stops once no task is active");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Profile_WhenItsWorkerProcessIsKilled_FailsSayingHow_KeepsWhatArrived_AndTheNextWorkerCanBeProfiled(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder();
        string pidFile = Path.Combine(folder.Root, "pid"), secondsFile = Path.Combine(folder.Root, "seconds");
        folder.Check("spinner", SpinnerCheck).Config("spinner", $"instances: [{{min_collection_interval: 3600, isolation: process, pid_file: '{pidFile}', seconds_file: '{secondsFile}'}}]");
        using var hosted = HostedChecks.Start(folder, o => o.WorkerProcesses.MaxRestartDelay = TimeSpan.FromMilliseconds(200), fakeTime: false);
        Eventually.That(() => hosted.CommitsOf("spinner") == 1, "the first scheduled run", seconds: 60);
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        string checkId = hosted.StatusOf("spinner").CheckId;
        int firstPid = ReadPid(pidFile);
        Assert.That(firstPid, Is.Not.EqualTo(Environment.ProcessId));

        // A run that spins for a minute, profiled; its worker is killed once samples have arrived.
        var task = profiler.StartAsync(new ProfileRequest { CheckId = checkId, Duration = TimeSpan.FromSeconds(120) }).GetAwaiter().GetResult();
        File.WriteAllText(secondsFile, "60");
        File.Delete(pidFile);
        var run = hosted.Scheduler.RunOnceAsync("spinner");
        Eventually.That(() => profiler.GetTask(task.Id)!.Quality.Samples > 5, "samples arrive while the run spins");
        Assert.That(ReadPid(pidFile), Is.EqualTo(firstPid));
        long samplesBefore = profiler.GetTask(task.Id)!.Quality.Samples;
        Process.GetProcessById(firstPid).Kill();

        Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Failed, "the task fails with its worker");
        var failed = profiler.GetResult(task.Id)!;
        Assert.That(failed.Task.Message, Does.StartWith($"The worker process running the check (pid {firstPid}) was killed by signal SIGKILL (9)"), failed.Task.Message);
        Assert.That(failed.Task.EndedAt, Is.Not.Null);
        Assert.That(failed.Task.Runs, Is.EqualTo(1));
        Assert.That(failed.Task.Quality.Samples, Is.GreaterThanOrEqualTo(samplesBefore), "what arrived before the kill is kept");
        Assert.That(failed.ToFolded(), Does.Contain("spin ("));
        Assert.That(run.Wait(TimeSpan.FromSeconds(60)), Is.True);
        Assert.That(run.Result!.Instances.Single().Result.Error, Does.Contain("killed by signal SIGKILL"));
        Assert.That(profiler.Cancel(task.Id)!.State, Is.EqualTo(ProfileTaskState.Failed), "an ended task stays as it ended");

        // The next task goes to the next worker, where the instance is loaded again for it; cancelled, it keeps its samples.
        File.WriteAllText(secondsFile, "1");
        var next = profiler.StartAsync(new ProfileRequest { CheckId = checkId, Duration = TimeSpan.FromSeconds(120) }).GetAwaiter().GetResult();
        Assert.That(next.State, Is.EqualTo(ProfileTaskState.Running));
        Assert.That(hosted.Scheduler.RunOnceAsync("spinner").GetAwaiter().GetResult()!.Instances.Single().Result.Error, Is.Null);
        int secondPid = ReadPid(pidFile);
        Assert.That(secondPid, Is.Not.EqualTo(firstPid).And.Not.EqualTo(Environment.ProcessId));
        var cancelled = profiler.Cancel(next.Id)!;
        Assert.That(cancelled.State, Is.EqualTo(ProfileTaskState.Cancelled), cancelled.Message);
        Assert.That(cancelled.Message, Is.EqualTo("Cancelled."));
        Assert.That(cancelled.Runs, Is.EqualTo(1));
        Assert.That(cancelled.Quality.Samples, Is.GreaterThan(5), cancelled.Quality.ToString());
        Assert.That(profiler.GetResult(next.Id)!.ToFolded(), Does.Contain("spin ("));

        // A run after the cancel adds nothing.
        hosted.Scheduler.RunOnceAsync("spinner").GetAwaiter().GetResult();
        Eventually.Stays(() => profiler.GetTask(next.Id)!.Quality.Samples == cancelled.Quality.Samples, "no samples after the cancel");
        Assert.That(profiler.SamplerRunning, Is.False, "the host's sampler thread never ran");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ProfileRoutes_OnACheckInAWorkerProcess_ServeItsTaskAndResult(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder().Check("busy", ProfilerTests.BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600, isolation: process}]");
        using var hosted = HostedChecks.Start(folder, services: s => s.AddPyChecksLocalApi(o =>
        {
            o.UnixSocketPath = Path.Combine(folder.Root, "api.sock");
            o.TokenFilePath = Path.Combine(folder.Root, "api.token");
        }));
        using var client = ApiClient.OverSocket(Path.Combine(folder.Root, "api.sock"), File.ReadAllText(Path.Combine(folder.Root, "api.token")));
        Eventually.That(() => hosted.CommitsOf("busy") == 1, "the busy check's first scheduled run", seconds: 60);
        string busy = hosted.StatusOf("busy").CheckId;

        var task = client.Post("profiles", $$"""{"checkId": "{{busy}}", "durationSeconds": 60}""").Expect(HttpStatusCode.Created).Json;
        string id = task.GetProperty("id").GetString()!;
        Assert.That(task.GetProperty("state").GetString(), Is.EqualTo("running"));
        client.Post("profiles", $$"""{"checkId": "{{busy}}"}""").Expect(HttpStatusCode.Conflict, "profile_conflict");

        client.Post("checks/busy/run").Expect(HttpStatusCode.OK);
        var running = client.Get("profiles/" + id).Expect(HttpStatusCode.OK).Json;
        Assert.That(running.GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(running.GetProperty("runs").GetInt32(), Is.EqualTo(1));
        Assert.That(running.GetProperty("quality").GetProperty("samples").GetInt64(), Is.GreaterThan(5));
        Assert.That(client.Get($"profiles/{id}/result?format=folded").Expect(HttpStatusCode.OK).Text.Split('\n')[0], Does.Match(@";hot \(.*busy\.py:\d+\) \d+$"));
        var native = client.Get($"profiles/{id}/result").Expect(HttpStatusCode.OK).Json;
        Assert.That(native.GetProperty("runs").GetArrayLength(), Is.EqualTo(1));

        var cancelled = client.Send(HttpMethod.Delete, "profiles/" + id).Expect(HttpStatusCode.OK).Json;
        Assert.That(cancelled.GetProperty("state").GetString(), Is.EqualTo("cancelled"));
        Assert.That(cancelled.GetProperty("quality").GetProperty("samples").GetInt64(), Is.GreaterThan(5));
        var svg = client.Get($"profiles/{id}/result?format=svg").Expect(HttpStatusCode.OK);
        FlameGraphSvg.AssertMatches(svg.Text, client.Get($"profiles/{id}/result?format=folded").Text);
        Assert.That(client.Get("profiles").Expect(HttpStatusCode.OK).Json.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("id").GetString()), Is.EqualTo(new[] { id }));
    });

    [Test]
    public void ProfileDeltas_RoundTrip_AndOneThatDoesNotContinueTheData_IsInvalidData()
    {
        var first = Delta(0, 0, 0, [Frame(0, "hot"), Frame(1, ProfileFrame.TruncatedName)], [[1, 0]], [new StackSample(7, 0, 100, 0, 2_000_000)], [new RunRecord(7, 42, 5)]);
        var writer = new FrameWriter();
        ProfileMessages.WriteDelta(writer, first);
        var reader = new FrameReader(writer.Written);
        var read = ProfileMessages.ReadDelta(ref reader);
        Assert.That(reader.AtEnd, Is.True);
        Assert.That((read.State, read.Reason, read.Runs, read.Quality), Is.EqualTo((first.State, first.Reason, first.Runs, first.Quality)));
        Assert.That(read.Frames, Is.EqualTo(first.Frames));
        Assert.That(read.Stacks, Is.EqualTo(first.Stacks));
        Assert.That(read.Samples, Is.EqualTo(first.Samples));
        Assert.That(read.RunRecords.Select(r => (r.RunId, r.ThreadId, r.AttachedTicks, r.DetachedTicks)), Is.EqualTo(new[] { (7L, 42UL, 5L, (long?)null) }));

        var data = new ProfileData();
        data.Append(read);
        var detached = new RunRecord(7, 42, 5) { DetachedTicks = 900 };
        data.Append(Delta(2, 1, 1, [], [[1, 0, 0]], [new StackSample(7, 1, 200, 1, 1_000_000), new StackSample(7, 2, 300, 0, 500_000)], [detached]));
        Assert.That(data.StackWeights, Is.EqualTo(new[] { 2_500_000L, 1_000_000L }));
        Assert.That(data.SampledTicks, Is.EqualTo(3_500_000));
        Assert.That(data.Runs[7].DetachedTicks, Is.EqualTo(900));

        Assert.Throws<InvalidDataException>(() => data.Append(Delta(2, 1, 3, [], [], [], [])), "a delta that skips what came before");
        Assert.Throws<InvalidDataException>(() => data.Append(Delta(2, 2, 3, [], [[5]], [], [])), "a stack of a frame never sent");
        Assert.Throws<InvalidDataException>(() => data.Append(Delta(2, 2, 3, [], [], [new StackSample(7, 3, 400, 9, 1)], [])), "a sample of a stack never sent");
        for (int cut = 0; cut < writer.Length; cut++)
        {
            byte[] truncated = writer.Written[..cut].ToArray();
            Assert.Throws<InvalidDataException>(
                () =>
                {
                    var partial = new FrameReader(truncated);
                    ProfileMessages.ReadDelta(ref partial);
                },
                $"cut at {cut}");
        }
    }

    private static ProfileDelta Delta(int firstFrame, int firstStack, int firstSample, ProfileFrame[] frames, int[][] stacks, StackSample[] samples, RunRecord[] runs) => new()
    {
        State = ProfileTaskState.Running,
        Reason = "why",
        Runs = runs.Length,
        Quality = new ProfileQuality { Samples = 3, TruncatedSamples = 1, SampledTime = TimeSpan.FromMilliseconds(35), RequestedHz = 100, AchievedHz = 85.7, GilWaitP50 = TimeSpan.FromTicks(12), GilWaitP99 = TimeSpan.FromTicks(340), HoldP50 = TimeSpan.FromTicks(5), HoldP99 = TimeSpan.FromTicks(60) },
        FirstFrame = firstFrame,
        Frames = frames,
        FirstStack = firstStack,
        Stacks = stacks,
        FirstSample = firstSample,
        Samples = samples,
        RunRecords = runs,
    };

    private static ProfileFrame Frame(int id, string name) => name == ProfileFrame.TruncatedName
        ? new ProfileFrame { Id = id, Name = name, File = string.Empty }
        : new ProfileFrame { Id = id, Name = name, File = "/srv/checks.d/busy.py", Line = 10 + id, FirstLine = 4 };

    private static int ReadPid(string path)
    {
        Eventually.That(() => File.Exists(path) && File.ReadAllText(path).Length > 0, "the check wrote its pid", seconds: 60);
        return int.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture);
    }
}
