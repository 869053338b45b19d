using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Profiling;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Profiling;

/// <summary>Profiling running checks: what the samples show, the task model's limits and states, and the four formats.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ProfilerTests
{
    // 80 % of each run in hot(), 20 % in cold(): both spin on the clock, so the split holds on any machine.
    internal const string BusyCheck = """
        import time
        from datadog_checks.base import AgentCheck

        def hot(until):
            n = 0
            while time.perf_counter() < until:
                n += 1
            return n

        def cold(until):
            n = 0
            while time.perf_counter() < until:
                n += 1
            return n

        class BusyCheck(AgentCheck):
            def check(self, instance):
                start = time.perf_counter()
                hot(start + 0.24)
                cold(start + 0.30)
        """;

    private const string DeepCheck = """
        import time
        from datadog_checks.base import AgentCheck

        def leaf(until):
            while time.perf_counter() < until:
                pass

        def down(depth, until):
            if depth == 0:
                leaf(until)
            else:
                down(depth - 1, until)

        class DeepCheck(AgentCheck):
            def check(self, instance):
                down(60, time.perf_counter() + 0.5)
        """;

    private const string QuickCheck = """
        from datadog_checks.base import AgentCheck

        class QuickCheck(AgentCheck):
            def check(self, instance):
                self.gauge('quick.value', 1)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Profile_OfACheckDominatedByOneFunction_ShowsItOnTopWithItsShare(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("busy", BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("busy") == 1, "the scheduled first run");
        var profiler = hosted.Host.Services.GetRequiredService<IProfiler>();
        string checkId = hosted.StatusOf("busy").CheckId;

        var task = profiler.StartAsync(new ProfileRequest { CheckId = checkId }).GetAwaiter().GetResult();
        Assert.That(task.State, Is.EqualTo(ProfileTaskState.Running));
        Assert.That((task.Duration, task.Interval, task.MaxDepth), Is.EqualTo((TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10), 128)), "the defaults");
        for (int i = 0; i < 3; i++)
        {
            Assert.That(hosted.Scheduler.RunOnceAsync("busy").GetAwaiter().GetResult()!.Instances.Single().Result.Succeeded, Is.True);
        }

        hosted.Advance(TimeSpan.FromSeconds(30));
        Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, "the task completes when its duration elapses");
        var result = profiler.GetResult(task.Id)!;
        var quality = result.Task.Quality;
        Assert.That(result.Task.Runs, Is.EqualTo(3));
        // Up to ~90 samples over 0.9 s of runs at 100 Hz; fewer when the machine is busy (the suite runs in parallel).
        Assert.That(quality.Samples, Is.GreaterThan(15), quality.ToString());
        Assert.That(quality.AchievedHz, Is.InRange(15, 120), quality.ToString());
        Assert.That(quality.SampledTime.TotalSeconds, Is.InRange(0.6, 2.0), "the weights cover the runs' time (0.9 s in check(), plus the run's own)");

        string folded = result.ToFolded();
        var lines = ParseFolded(folded);
        double total = lines.Sum(l => l.Weight);
        double hot = lines.Where(l => l.Frames[^1].StartsWith("hot (", StringComparison.Ordinal)).Sum(l => l.Weight) / total;
        double cold = lines.Where(l => l.Frames[^1].StartsWith("cold (", StringComparison.Ordinal)).Sum(l => l.Weight) / total;
        Assert.That(lines[0].Frames[^1], Does.StartWith("hot (").And.Contain("busy.py:"), "the heaviest stack ends in hot():\n" + folded);
        Assert.That(hot, Is.InRange(0.70, 0.90), "hot() has 80 % of the time:\n" + folded);
        Assert.That(cold, Is.InRange(0.10, 0.30), "cold() has 20 % of the time:\n" + folded);
        string checkFrame = PythonRuntime.Current!.Version.Minor >= 11 ? "BusyCheck.check (" : "check (";
        Assert.That(lines[0].Frames, Has.Some.StartsWith(checkFrame), "the caller is in the stack, root first");
        Assert.That(lines[0].Frames.ToList().FindIndex(f => f.StartsWith(checkFrame, StringComparison.Ordinal)), Is.LessThan(lines[0].Frames.Length - 1));

        string withoutLines = result.ToFolded(includeLines: false);
        Assert.That(ParseFolded(withoutLines)[0].Frames[^1], Does.Match(@"^hot \(.*busy\.py\)$"), withoutLines);

        // The flame graph: well-formed XML whose boxes are as wide as the folded stacks through them, with and without lines.
        string svg = Write(result, ProfileFormat.Svg);
        Assert.That(FlameGraphSvg.AssertMatches(svg, folded), Is.GreaterThan(3));
        Assert.That(svg, Does.Contain("<title>hot (").And.Contain("Flame graph of " + checkId));
        using (var merged = new MemoryStream())
        {
            result.WriteSvg(merged, includeLines: false);
            FlameGraphSvg.AssertMatches(Encoding.UTF8.GetString(merged.ToArray()), withoutLines);
        }

        // Speedscope: the schema's fields, frames shared, one weight per sample.
        using var speedscope = JsonDocument.Parse(Write(result, ProfileFormat.Speedscope));
        var root = speedscope.RootElement;
        Assert.That(root.GetProperty("$schema").GetString(), Is.EqualTo("https://www.speedscope.app/file-format-schema.json"));
        var frames = root.GetProperty("shared").GetProperty("frames");
        Assert.That(frames.EnumerateArray().All(f => f.GetProperty("name").GetString()!.Length > 0), Is.True);
        var profile = root.GetProperty("profiles")[0];
        Assert.That(profile.GetProperty("type").GetString(), Is.EqualTo("sampled"));
        Assert.That(profile.GetProperty("unit").GetString(), Is.EqualTo("microseconds"));
        var samples = profile.GetProperty("samples");
        var weights = profile.GetProperty("weights");
        Assert.That(samples.GetArrayLength(), Is.EqualTo(quality.Samples));
        Assert.That(weights.GetArrayLength(), Is.EqualTo(samples.GetArrayLength()));
        Assert.That(samples.EnumerateArray().SelectMany(s => s.EnumerateArray()).All(i => i.GetInt32() < frames.GetArrayLength()), Is.True, "sample frames index the shared frames");
        Assert.That(profile.GetProperty("endValue").GetInt64(), Is.EqualTo(weights.EnumerateArray().Sum(w => w.GetInt64())));
        Assert.That(frames.EnumerateArray().Any(f => f.GetProperty("name").GetString() == "hot" && f.GetProperty("file").GetString()!.EndsWith("busy.py", StringComparison.Ordinal)), Is.True);

        // PyChecks' JSON: per-run snapshots in sequence, frame ids into the frame table.
        using var native = JsonDocument.Parse(Write(result, ProfileFormat.Json));
        var runs = native.RootElement.GetProperty("runs");
        Assert.That(runs.GetArrayLength(), Is.EqualTo(3));
        int frameCount = native.RootElement.GetProperty("frames").GetArrayLength();
        foreach (var run in runs.EnumerateArray())
        {
            var snapshots = run.GetProperty("snapshots").EnumerateArray().ToList();
            Assert.That(snapshots, Is.Not.Empty);
            Assert.That(snapshots.Select(s => s.GetProperty("sequence").GetInt32()), Is.EqualTo(Enumerable.Range(0, snapshots.Count)));
            Assert.That(snapshots.All(s => s.GetProperty("frames").EnumerateArray().All(f => f.GetInt32() < frameCount)), Is.True);
            Assert.That(snapshots.All(s => s.TryGetProperty("timestamp", out _)), Is.True);
        }

        Assert.That(native.RootElement.GetProperty("task").GetProperty("state").GetString(), Is.EqualTo("completed"));
        Eventually.That(() => !((Profiler)profiler).SamplerRunning, "the sampler thread stops once no task is active");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Profile_DeeperThanMaxDepth_KeepsTheLeafAndMarksTheCut(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("deep", DeepCheck).Config("deep", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("deep") == 1, "the scheduled first run");
        var profiler = hosted.Host.Services.GetRequiredService<IProfiler>();

        var task = profiler.StartAsync(new ProfileRequest { CheckId = hosted.StatusOf("deep").CheckId, MaxDepth = 10, MaxRuns = 1 }).GetAwaiter().GetResult();
        hosted.Scheduler.RunOnceAsync("deep").GetAwaiter().GetResult();
        Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, "the task completes after its one run");

        var result = profiler.GetResult(task.Id)!;
        Assert.That(result.Task.Message, Does.Contain("1 run(s) profiled"));
        Assert.That(result.Task.Quality.TruncatedSamples, Is.EqualTo(result.Task.Quality.Samples).And.GreaterThan(3));
        var lines = ParseFolded(result.ToFolded());
        var top = lines[0];
        Assert.That(top.Frames, Has.Length.EqualTo(11), "ten frames and the marker");
        Assert.That(top.Frames[0], Is.EqualTo("<truncated>"), "the outermost frames are the ones dropped");
        Assert.That(top.Frames[^1], Does.StartWith("leaf ("), "the innermost frame is kept");
        Assert.That(top.Frames[1..^1], Has.All.StartWith("down ("));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Profile_WithAMinRunDuration_SamplesOnlyTheRunsLaterPart(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("phased", """
            import time
            from datadog_checks.base import AgentCheck

            def spin(until):
                while time.perf_counter() < until:
                    pass

            def early(until):
                spin(until)

            def late(until):
                spin(until)

            class PhasedCheck(AgentCheck):
                def check(self, instance):
                    start = time.perf_counter()
                    early(start + 0.2)
                    late(start + 0.4)
            """).Config("phased", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("phased") == 1, "the scheduled first run");
        var profiler = hosted.Host.Services.GetRequiredService<IProfiler>();

        // early() ends 0.2 s into check(): from 0.3 s after the run starts, only late() runs.
        var task = profiler.StartAsync(new ProfileRequest { CheckId = hosted.StatusOf("phased").CheckId, MinRunDuration = TimeSpan.FromMilliseconds(300) }).GetAwaiter().GetResult();
        Assert.That(task.MinRunDuration, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        for (int i = 0; i < 3; i++)
        {
            hosted.Scheduler.RunOnceAsync("phased").GetAwaiter().GetResult();
        }

        var running = profiler.GetResult(task.Id)!;
        Assert.That(running.Task.State, Is.EqualTo(ProfileTaskState.Running), "a result can be read while the task runs");
        Assert.That(running.Task.Quality.Samples, Is.GreaterThan(0), running.Task.ToString());
        Assert.That(running.Task.Quality.SampledTime.TotalSeconds, Is.LessThan(0.35), "only the runs' last ~0.1 s each are covered");
        string folded = running.ToFolded(includeLines: false);
        Assert.That(folded, Does.Not.Contain("early ("), folded);
        Assert.That(folded, Does.Contain("late ("));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void StartAsync_EnforcesOneTaskPerCheck_TheConcurrentLimit_AndKnownChecks(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("quick", QuickCheck).Config("quick", """
            instances:
              - {name: a, min_collection_interval: 3600}
              - {name: b, min_collection_interval: 3600}
              - {name: c, min_collection_interval: 3600}
            """);
        using var hosted = HostedChecks.Start(folder, o => o.Profiler.MaxConcurrentTasks = 2);
        var profiler = hosted.Host.Services.GetRequiredService<IProfiler>();
        string[] ids = [.. hosted.Status.GetAll().Select(s => s.CheckId).Order(StringComparer.Ordinal)];
        Assert.That(ids, Has.Length.EqualTo(3));

        var first = profiler.StartAsync(new ProfileRequest { CheckId = ids[0] }).GetAwaiter().GetResult();
        var conflict = Assert.ThrowsAsync<ProfileRequestException>(() => profiler.StartAsync(new ProfileRequest { CheckId = ids[0] }))!;
        Assert.That(conflict.Error, Is.EqualTo(ProfileRequestError.Conflict));
        Assert.That(conflict.ActiveTaskId, Is.EqualTo(first.Id));
        Assert.That(conflict.Message, Does.Contain(first.Id));

        profiler.StartAsync(new ProfileRequest { CheckId = ids[1] }).GetAwaiter().GetResult();
        var tooMany = Assert.ThrowsAsync<ProfileRequestException>(() => profiler.StartAsync(new ProfileRequest { CheckId = ids[2] }))!;
        Assert.That(tooMany.Error, Is.EqualTo(ProfileRequestError.TooManyTasks));
        Assert.That(tooMany.Message, Does.Contain("MaxConcurrentTasks = 2"));

        var unknown = Assert.ThrowsAsync<ProfileRequestException>(() => profiler.StartAsync(new ProfileRequest { CheckId = "quick:nope" }))!;
        Assert.That(unknown.Error, Is.EqualTo(ProfileRequestError.UnknownCheck));

        var invalid = Assert.ThrowsAsync<ProfileRequestException>(() => profiler.StartAsync(new ProfileRequest { CheckId = ids[2], Interval = TimeSpan.FromMilliseconds(1) }))!;
        Assert.That((invalid.Error, invalid.Field), Is.EqualTo((ProfileRequestError.Invalid, "Interval")));

        Assert.That(profiler.Cancel(first.Id)!.State, Is.EqualTo(ProfileTaskState.Cancelled));
        var third = profiler.StartAsync(new ProfileRequest { CheckId = ids[2] }).GetAwaiter().GetResult();
        Assert.That(third.State, Is.EqualTo(ProfileTaskState.Running), "a slot frees when a task ends");
        var again = profiler.StartAsync(new ProfileRequest { CheckId = ids[0] });
        Assert.That(again.IsFaulted, Is.True, "both slots are taken again");

        var listed = profiler.ListTasks();
        Assert.That(listed, Has.Count.EqualTo(3));
        Assert.That(listed[0].Id, Is.EqualTo(third.Id), "newest first");
        Assert.That(listed.Count(t => t.IsActive), Is.EqualTo(2));
        Assert.That(profiler.GetTask("unknown"), Is.Null);
        Assert.That(profiler.Cancel("unknown"), Is.Null);
        Assert.That(profiler.GetResult("unknown"), Is.Null);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Cancel_EndsTheTask_KeepsItsSamples_AndStopsTheSamplerThread(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("busy", BusyCheck).Config("busy", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("busy") == 1, "the scheduled first run");
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        Assert.That(profiler.SamplerRunning, Is.False, "no thread before a task");

        var task = profiler.StartAsync(new ProfileRequest { CheckId = hosted.StatusOf("busy").CheckId, Duration = TimeSpan.FromSeconds(600) }).GetAwaiter().GetResult();
        Assert.That(profiler.SamplerRunning, Is.True);
        hosted.Scheduler.RunOnceAsync("busy").GetAwaiter().GetResult();
        var cancelled = profiler.Cancel(task.Id)!;

        Assert.That(cancelled.State, Is.EqualTo(ProfileTaskState.Cancelled));
        Assert.That(cancelled.EndedAt, Is.Not.Null);
        Assert.That(cancelled.Quality.Samples, Is.GreaterThan(5), "what was sampled before the cancel is kept");
        Assert.That(profiler.Cancel(task.Id)!.State, Is.EqualTo(ProfileTaskState.Cancelled), "cancelling again changes nothing");
        Eventually.That(() => !profiler.SamplerRunning, "the sampler thread stops");

        long samples = cancelled.Quality.Samples;
        hosted.Scheduler.RunOnceAsync("busy").GetAwaiter().GetResult();
        Assert.That(profiler.GetTask(task.Id)!.Quality.Samples, Is.EqualTo(samples), "runs after the cancel are not attached");
        Assert.That(profiler.GetResult(task.Id)!.ToFolded(), Does.Contain("hot ("));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Profile_OfACheckThatNeverRuns_CompletesWithZeroSamples_AndSaysSo(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("quick", QuickCheck).Config("quick", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("quick") == 1, "the scheduled first run");
        var profiler = hosted.Host.Services.GetRequiredService<IProfiler>();

        var task = profiler.StartAsync(new ProfileRequest { CheckId = hosted.StatusOf("quick").CheckId, Duration = TimeSpan.FromSeconds(5) }).GetAwaiter().GetResult();
        hosted.Advance(TimeSpan.FromSeconds(4));
        Eventually.Stays(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Running, "still running before its duration");
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, "completed after its duration, on the host's clock");

        var ended = profiler.GetTask(task.Id)!;
        Assert.That(ended.Quality.Samples, Is.Zero);
        Assert.That(ended.Runs, Is.Zero);
        Assert.That(ended.Message, Does.Contain("did not run").And.Contain("no samples"));
        Assert.That(ended.EndedAt - ended.StartedAt, Is.EqualTo(TimeSpan.FromSeconds(5)));
        var result = profiler.GetResult(task.Id)!;
        Assert.That(result.ToFolded(), Is.Empty);
        using var speedscope = JsonDocument.Parse(Write(result, ProfileFormat.Speedscope));
        Assert.That(speedscope.RootElement.GetProperty("profiles")[0].GetProperty("samples").GetArrayLength(), Is.Zero);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void StartingAndCancellingTasks_WhileChecksRunUnderLoad_NeverDeadlocks(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spin", """
            import time
            from datadog_checks.base import AgentCheck

            class SpinCheck(AgentCheck):
                def check(self, instance):
                    until = time.perf_counter() + 0.05
                    while time.perf_counter() < until:
                        pass
                    self.gauge('spin.done', 1)
            """).Config("spin", string.Join("\n", ["instances:", .. Enumerable.Range(0, 6).Select(i => $"  - {{name: s{i}, min_collection_interval: 1}}")]));
        using var hosted = HostedChecks.Start(folder, o => o.Profiler.MaxConcurrentTasks = 6, fakeTime: false);
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        string[] ids = [.. hosted.Status.GetAll().Select(s => s.CheckId)];
        Eventually.That(() => hosted.CommitsOf("spin") >= 6, "the checks run");

        var deadline = DateTime.UtcNow.AddSeconds(6);
        var starters = Enumerable.Range(0, 3).Select(t => Task.Run(async () =>
        {
            int i = t;
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    var task = await profiler.StartAsync(new ProfileRequest { CheckId = ids[i++ % ids.Length], Interval = TimeSpan.FromMilliseconds(10) });
                    await Task.Delay(Random.Shared.Next(0, 40));
                    profiler.Cancel(task.Id);
                }
                catch (ProfileRequestException e) when (e.Error is ProfileRequestError.Conflict or ProfileRequestError.TooManyTasks)
                {
                    await Task.Delay(1);
                }
            }
        })).ToArray();
        Assert.That(Task.WaitAll(starters, TimeSpan.FromSeconds(30)), Is.True, "starting and cancelling tasks never blocks");

        int commits = hosted.CommitsOf("spin");
        Eventually.That(() => hosted.CommitsOf("spin") > commits + 6, "the checks keep running");
        Assert.That(profiler.ListTasks().Where(t => t.IsActive), Is.Empty);
        Eventually.That(() => !profiler.SamplerRunning, "the sampler thread stops");

        // And the profiler still works.
        var last = profiler.StartAsync(new ProfileRequest { CheckId = ids[0], Duration = TimeSpan.FromSeconds(3) }).GetAwaiter().GetResult();
        Eventually.That(() => profiler.GetTask(last.Id)!.State == ProfileTaskState.Completed, "the last task completes", seconds: 20);
        Assert.That(profiler.GetTask(last.Id)!.Quality.Samples, Is.GreaterThan(0), profiler.GetTask(last.Id)!.ToString());
        Assert.That(hosted.Status.GetAll().All(s => s.TotalErrors == 0), Is.True, "profiling never fails a run");
    });

    [Test]
    public void Validate_NamesTheFieldAndTheAllowedRange()
    {
        (ProfileRequest Request, string Field, string Range)[] cases =
        [
            (new ProfileRequest { CheckId = " " }, "CheckId", "required"),
            (new ProfileRequest { CheckId = "c", Duration = TimeSpan.FromMilliseconds(500) }, "Duration", "between 1 s and 600 s (was 0.5 s)"),
            (new ProfileRequest { CheckId = "c", Duration = TimeSpan.FromSeconds(601) }, "Duration", "between 1 s and 600 s (was 601 s)"),
            (new ProfileRequest { CheckId = "c", Interval = TimeSpan.FromMilliseconds(9) }, "Interval", "between 10 ms and 1000 ms (was 9 ms)"),
            (new ProfileRequest { CheckId = "c", Interval = TimeSpan.FromSeconds(2) }, "Interval", "between 10 ms and 1000 ms (was 2000 ms)"),
            (new ProfileRequest { CheckId = "c", MaxDepth = 0 }, "MaxDepth", "between 1 and 512 (was 0)"),
            (new ProfileRequest { CheckId = "c", MaxDepth = 513 }, "MaxDepth", "between 1 and 512 (was 513)"),
            (new ProfileRequest { CheckId = "c", MinRunDuration = TimeSpan.FromSeconds(-1) }, "MinRunDuration", "between 0 s and 600 s"),
            (new ProfileRequest { CheckId = "c", MaxRuns = 0 }, "MaxRuns", "between 1 and 100,000"),
        ];
        foreach (var (request, field, range) in cases)
        {
            var e = Assert.Throws<ProfileRequestException>(() => request.Validate())!;
            Assert.That((e.Error, e.Field), Is.EqualTo((ProfileRequestError.Invalid, field)));
            Assert.That(e.Message, Does.StartWith(field).And.Contain(range));
        }

        var valid = new ProfileRequest { CheckId = "c", Duration = TimeSpan.FromSeconds(600), Interval = TimeSpan.FromSeconds(1), MaxDepth = 512, MaxRuns = 1 }.Validate();
        Assert.That(valid, Is.EqualTo(new ValidRequest("c", TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(1), 512, TimeSpan.Zero, 1)));
    }

    [Test]
    public void FlameGraph_EscapesWhatXmlCannotHold_AndSaysSoWhenThereAreNoSamples()
    {
        var graph = new FlameGraph();
        graph.Add(["run (<pychecks>/checks.py:1)", "a&b \"q\" 'x' (/srv/odd\u0001name\ud800.py:2)"], 3000);
        graph.Add(["run (<pychecks>/checks.py:1)"], 1000);
        var text = new StringWriter();
        graph.Write(text, "Flame graph of <odd>", "subtitle & more");
        string svg = text.ToString();
        Assert.That(FlameGraphSvg.AssertMatches(svg, "run (<pychecks>/checks.py:1);a&b \"q\" 'x' (/srv/odd\uFFFDname\uFFFD.py:2) 3000\nrun (<pychecks>/checks.py:1) 1000\n"), Is.EqualTo(3));
        Assert.That(svg, Does.Contain("75% of all (3 ms in itself)").And.Contain("100% of all (1 ms in itself)"));

        var empty = new StringWriter();
        new FlameGraph().Write(empty, "Flame graph of c:1", "no runs");
        var document = System.Xml.Linq.XDocument.Parse(empty.ToString());
        Assert.That(document.Root!.Value, Does.Contain("No samples."));
    }

    [Test]
    public void TryParseFormat_AcceptsTheFourNamesOnly()
    {
        Assert.That(ProfileResult.TryParseFormat("svg", out var g) && g == ProfileFormat.Svg, Is.True);
        Assert.That(ProfileResult.ContentType(ProfileFormat.Svg), Is.EqualTo("image/svg+xml"));
        Assert.That(ProfileResult.TryParseFormat("folded", out var f) && f == ProfileFormat.Folded, Is.True);
        Assert.That(ProfileResult.TryParseFormat("SpeedScope", out var s) && s == ProfileFormat.Speedscope, Is.True);
        Assert.That(ProfileResult.TryParseFormat("json", out var j) && j == ProfileFormat.Json, Is.True);
        foreach (string? bad in new[] { null, "", "1", "pprof", "Folded,Json" })
        {
            Assert.That(ProfileResult.TryParseFormat(bad, out _), Is.False, bad);
        }
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Profile_OfARunSleepingDeepInItsStack_ShowsThatStack_ReadWithoutTheGilOn312And313(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("sleeper", """
            import time
            from datadog_checks.base import AgentCheck

            def leaf(seconds):
                time.sleep(seconds)

            def down(depth, seconds):
                if depth == 0:
                    leaf(seconds)
                else:
                    down(depth - 1, seconds)

            class SleeperCheck(AgentCheck):
                def check(self, instance):
                    down(20, 0.5)
            """).Config("sleeper", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("sleeper") == 1, "the scheduled first run");
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        string checkId = hosted.StatusOf("sleeper").CheckId;
        bool withoutGil = PythonRuntime.Current!.Version.Minor is 12 or 13;
        Assert.That(profiler.ReadsWithoutGil, Is.EqualTo(withoutGil), "3.12 and 3.13 read stacks without the GIL; older versions walk under it");

        foreach (int depth in new[] { 128, 10 })
        {
            var task = profiler.StartAsync(new ProfileRequest { CheckId = checkId, MaxDepth = depth, MaxRuns = 1 }).GetAwaiter().GetResult();
            hosted.Scheduler.RunOnceAsync("sleeper").GetAwaiter().GetResult();
            Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, "the task completes after its one run");
            var result = profiler.GetResult(task.Id)!;
            var quality = result.Task.Quality;
            Assert.That(quality.Samples, Is.GreaterThan(10), quality.ToString());

            // The run sleeps 0.5 s in leaf(), 22 Python frames below check(): most samples are that stack, lines included.
            string folded = result.ToFolded();
            var lines = ParseFolded(folded);
            string[] expected = [.. Enumerable.Repeat("down (", 20).Select(d => d + ":11)"), "down (:9)", "leaf (:5)"];
            string[] top = lines[0].Frames;
            string[] innermost = [.. top[^Math.Min(expected.Length, depth)..].Select(f => f[..(f.IndexOf('(', StringComparison.Ordinal) + 1)] + f[f.LastIndexOf(':')..])];
            Assert.That(innermost, Is.EqualTo(expected[^Math.Min(expected.Length, depth)..]), folded);
            Assert.That(top[^1], Does.Contain("sleeper.py:5)"), folded);
            Assert.That(lines[0].Weight, Is.GreaterThan(lines.Sum(l => l.Weight) * 0.5), "the sleeping stack has most of the weight:\n" + folded);
            if (depth == 10)
            {
                Assert.That(top, Has.Length.EqualTo(11), "ten frames and the marker");
                Assert.That(top[0], Is.EqualTo("<truncated>"));
                Assert.That(quality.TruncatedSamples, Is.EqualTo(quality.Samples));
            }
            else
            {
                string checkFrame = PythonRuntime.Current!.Version.Minor >= 11 ? "SleeperCheck.check (" : "check (";
                Assert.That(top[^(expected.Length + 1)], Does.StartWith(checkFrame).And.EndWith(":15)"), folded);
                Assert.That(quality.TruncatedSamples, Is.Zero);
            }

            // Read without the GIL, a tick neither waits for it nor holds it (recorded as zero); the first tick of a
            // task takes it, to read the names of the code objects it has not seen.
            if (withoutGil)
            {
                Assert.That((quality.GilWaitP50, quality.HoldP50), Is.EqualTo((TimeSpan.Zero, TimeSpan.Zero)), quality.ToString());
            }
            else
            {
                Assert.That(quality.HoldP50, Is.GreaterThan(TimeSpan.Zero), quality.ToString());
            }
        }

        Assert.That(profiler.ReadsWithoutGil, Is.EqualTo(withoutGil), "every tick under the GIL found the read without it agreeing");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Profile_OfAStackThatChangesAllTheTime_ShowsOnlyStacksThatExist(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // a() only ever calls x(), b() only y(), each a few hundred nanoseconds apart, at the same depth: a stack read
        // while it moves could pair a() with y() or b() with x(). No sample may show such a stack.
        var folder = new CheckFolder().Check("moving", """
            import time
            from datadog_checks.base import AgentCheck

            def x(n):
                return n + 1

            def y(n):
                return n + 2

            def a(n):
                return x(n) * 3

            def b(n):
                return y(n) * 5

            def spin(until):
                n = 0
                while time.perf_counter() < until:
                    n = (a(n) + b(n)) % 1000
                return n

            class MovingCheck(AgentCheck):
                def check(self, instance):
                    spin(time.perf_counter() + 0.3)
            """).Config("moving", "instances: [{min_collection_interval: 3600}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("moving") == 1, "the scheduled first run");
        var profiler = (Profiler)hosted.Host.Services.GetRequiredService<IProfiler>();
        var task = profiler.StartAsync(new ProfileRequest { CheckId = hosted.StatusOf("moving").CheckId, MaxRuns = 3 }).GetAwaiter().GetResult();
        for (int i = 0; i < 3; i++)
        {
            hosted.Scheduler.RunOnceAsync("moving").GetAwaiter().GetResult();
        }

        Eventually.That(() => profiler.GetTask(task.Id)!.State == ProfileTaskState.Completed, "the task completes after its three runs");
        var result = profiler.GetResult(task.Id)!;
        Assert.That(result.Task.Quality.Samples, Is.GreaterThan(20), result.Task.Quality.ToString());
        string folded = result.ToFolded();
        string checkFrame = PythonRuntime.Current!.Version.Minor >= 11 ? "MovingCheck.check (" : "check (";
        var lines = new Dictionary<string, string[]>
        {
            // A function's lines, its def line included (a frame just entered, at its first instruction).
            ["spin"] = ["16", "17", "18", "19", "20"],
            ["a"] = ["10", "11"],
            ["b"] = ["13", "14"],
            ["x"] = ["4", "5"],
            ["y"] = ["7", "8"],
        };
        string[] shapes = ["spin", "spin;a", "spin;a;x", "spin;b", "spin;b;y"];
        foreach (var (frames, _) in ParseFolded(folded))
        {
            int below = Array.FindIndex(frames, f => f.StartsWith(checkFrame, StringComparison.Ordinal));
            if (below < 0 || below == frames.Length - 1)
            {
                continue; // before check() called spin() or after it returned
            }

            var mine = frames[(below + 1)..].Select(f => (Name: f[..f.IndexOf(' ', StringComparison.Ordinal)], Line: f[(f.LastIndexOf(':') + 1)..^1])).ToList();
            Assert.That(shapes, Does.Contain(string.Join(';', mine.Select(f => f.Name))), "a stack that exists:\n" + folded);
            Assert.That(mine.All(f => lines[f.Name].Contains(f.Line)), Is.True, "each frame at a line of its function:\n" + folded);
        }

        // Which of a() and b() the samples catch more often is not asserted: a run whose stack moves this fast is sampled
        // under the GIL, at the points where the interpreter lets it go, which can favour one of them.
        Assert.That(folded, Does.Contain("spin ("), folded);
        Assert.That(profiler.ReadsWithoutGil, Is.EqualTo(PythonRuntime.Current!.Version.Minor is 12 or 13), "every tick under the GIL found the read without it agreeing");
    });

    internal static string Write(ProfileResult result, ProfileFormat format)
    {
        using var stream = new MemoryStream();
        result.Write(format, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static List<(string[] Frames, long Weight)> ParseFolded(string folded) =>
        [.. folded.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            int space = line.LastIndexOf(' ');
            return (line[..space].Split(';'), long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        })];
}
