using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PyChecks.Checks.Isolation;

namespace PyChecks.Soak;

/// <summary>
/// <c>workers</c>: a Generic Host with <c>AddPyChecks</c> runs 1,000 instances of a small check in worker processes
/// (<see cref="CheckIsolation.Process"/>, one worker per core unless <c>--workers</c> says otherwise) every 5 s for
/// <c>--duration</c> (default 10 minutes), beside one "chaos" instance, every second, that crashes its worker with a
/// segmentation fault on its 3rd to 5th run in each new worker.
/// </summary>
/// <remarks>
/// <para>
/// What the host's sender received decides: every check submits its worker's pid and its run number in that worker,
/// so a run delivered twice, or one that ran and never arrived, is visible per instance (<see cref="SequenceRecorder"/>).
/// The scheduler's side is read from the status store between the end of the first minute (T1) and the end (T2), as in
/// <c>schedule</c>: a due tick is a run (succeeded or failed), a skip, or the run in progress. A run in flight in the
/// worker the chaos check kills fails: a failed run, counted and sorted by cause (from the scheduler's log), never a
/// lost one. A lost run is one that never ends: every 10 s, no run may be in progress for longer than its timeout,
/// the stuck-run grace and 10 s more.
/// </para>
/// <para>
/// The chaos check crashes on its 3rd to 5th run, counted in its worker (so afresh in each), never twice in a row: the
/// runs in between reset its count of consecutive crashes, and the default quarantine (3 in a row) never takes it.
/// That is kept on purpose, so that the soak also shows that a check crashing now and then, and its neighbours whose
/// runs were in flight at the crash, are not quarantined. The restart delay is capped at 1 s
/// (<see cref="WorkerProcessOptions.MaxRestartDelay"/>): the doubling delay is reset only after a worker lived a
/// minute, so with the default cap of 30 s the chaos worker would be restarted every ~35 s, not every few seconds,
/// and its slot's other instances would wait out most of each cap.
/// </para>
/// </remarks>
internal static class WorkersScenario
{
    private const string SteadyCheck = """
        import os
        from datadog_checks.base import AgentCheck

        class SteadyCheck(AgentCheck):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.sequence = 0

            def check(self, instance):
                self.sequence += 1
                self.gauge('soak.pid', os.getpid())
                self.gauge('soak.seq', self.sequence)
                self.gauge('soak.value', 1.5, tags=['env:soak'])
                self.gauge('soak.other', 2.5, tags=['env:soak'])
        """;

    // A new worker loads the instance again: its count, and the run it crashes on, start afresh in each worker.
    private const string ChaosCheck = """
        import ctypes, os, random
        from datadog_checks.base import AgentCheck

        class ChaosCheck(AgentCheck):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.sequence = 0
                self.crash_at = random.randint(3, 5)

            def check(self, instance):
                self.sequence += 1
                self.gauge('soak.pid', os.getpid())
                self.gauge('soak.seq', self.sequence)
                if self.sequence == self.crash_at:
                    ctypes.string_at(0)
        """;

    private const int SteadyMetrics = 4;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ChaosInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromSeconds(10);

    public static TimeSpan DurationOf(SoakArguments arguments) => arguments.Duration ?? TimeSpan.FromMinutes(10);

    public static void Run(SoakArguments arguments, Verdict verdict)
    {
        int instances = (int)(arguments.Scale ?? 1_000);
        int workers = arguments.Workers ?? Environment.ProcessorCount;
        var duration = DurationOf(arguments);
        var firstMinute = TimeSpan.FromSeconds(Math.Min(60, duration.TotalSeconds / 4));
        using var folder = new SoakFolder("workers").Check("steady", SteadyCheck).Check("chaos", ChaosCheck);
        var recorder = new SequenceRecorder();
        var logs = new LogRecorder();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Information).AddSimpleConsole().AddProvider(logs);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Error); // the crashes' warnings are counted, not printed
        builder.Services.AddSingleton<ISender>(recorder);
        TimeSpan stuckGrace = default;
        builder.Services.AddPyChecks(o =>
        {
            folder.Configure(o, arguments);
            o.Isolation = CheckIsolation.Process;
            o.WorkerProcesses.Count = workers;
            o.WorkerProcesses.MaxRestartDelay = MaxRestartDelay;
            o.MaxStartJitter = Interval;
            stuckGrace = o.StuckRunGrace;
            o.Checks.Add(new CheckConfig { Name = "chaos", Instances = [new Dictionary<string, object?> { ["min_collection_interval"] = (long)ChaosInterval.TotalSeconds }] });
            o.Checks.Add(new CheckConfig
            {
                Name = "steady",
                Instances = [.. Enumerable.Range(0, instances).Select(static i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["index"] = (long)i,
                    ["min_collection_interval"] = (long)Interval.TotalSeconds,
                })],
            });
        });

        Console.WriteLine($"{instances:N0} instances of a check submitting 4 gauges every {Interval.TotalSeconds:0} s ({instances / Interval.TotalSeconds:N0} runs/s) and 1 chaos instance every {ChaosInterval.TotalSeconds:0} s crashing its worker (SIGSEGV) on its 3rd–5th run in each; all in {workers} worker process(es), restart delay ≤ {MaxRestartDelay.TotalSeconds:0} s, quarantine after the default 3 crashes in a row; {duration:g} in all, memory and descriptors compared from {firstMinute.TotalSeconds:0} s to the end");

        var wall = Stopwatch.StartNew();
        using var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        var loading = wall.Elapsed;
        var runtime = host.Services.GetRequiredService<PythonRuntime>();
        var store = host.Services.GetRequiredService<ICheckStatusStore>();
        var pool = host.Services.GetRequiredService<CheckHost>().WorkerProcesses
            ?? throw new InvalidOperationException("the host has no worker processes although every instance is in Process mode");
        Console.WriteLine($"Python {runtime.Version.Major}.{runtime.Version.Minor}.{runtime.Version.Micro} from {runtime.Location.LibraryPath}; host started (instances loaded into their workers and scheduled) in {loading.TotalSeconds:F1} s");

        var slotOf = SlotsOf(pool);
        string chaosId = store.GetAll().Single(static s => s.CheckName == "chaos").CheckId;
        int chaosSlot = slotOf[chaosId];
        var steadyIds = store.GetAll().Where(static s => s.CheckName == "steady").Select(static s => s.CheckId).ToList();
        verdict.Require(steadyIds.Count == instances && store.LoadErrors.Count == 0, $"all {instances:N0} instances and the chaos instance scheduled (store has {store.GetAll().Count:N0}, load errors {store.LoadErrors.Count})");
        verdict.Require(slotOf.Count == instances + 1, $"every instance runs in a worker process ({slotOf.Count:N0} assigned to slots)");
        string perSlot = string.Join(", ", pool.Slots.Select(s => $"slot {s.Index}: {slotOf.Values.Count(v => v == s.Index):N0}{(s.Index == chaosSlot ? " with the chaos instance" : string.Empty)}"));
        Console.WriteLine($"instances per worker: {perSlot}");

        using var workersSeen = new WorkerWatch(pool);
        using var stalls = new StallWatch();
        var samples = new List<Sample>();
        Sample? t1Sample = null;
        Dictionary<string, CheckStatus>? first = null;
        DateTimeOffset t1From = default, t1To = default;
        long heapT1 = 0, errorsT1 = 0;
        Console.WriteLine("  elapsed  commits/s  restarts  oldest run   fds  threads  workers (zombies)  heap after GC        RSS   worker RSS (slots)          load");
        while (wall.Elapsed < duration)
        {
            var next = TimeSpan.FromTicks(Math.Min((long)((Math.Floor(wall.Elapsed / SamplePeriod) + 1) * SamplePeriod.Ticks), duration.Ticks));
            if (first is null && next >= firstMinute)
            {
                // T1: the first minute is over. Full collections first, then a few seconds for the runs they delayed.
                Thread.Sleep(Max(TimeSpan.Zero, firstMinute - wall.Elapsed));
                heapT1 = ProcessProbe.ManagedHeapAfterFullCollection();
                errorsT1 = KeptErrorBytes(store);
                Thread.Sleep(TimeSpan.FromSeconds(2));
                (first, t1From, t1To) = Read(store);
                t1Sample = Take(pool, store, recorder, wall.Elapsed, stuckGrace);
                samples.Add(t1Sample);
                Print(t1Sample, samples.Count > 1 ? samples[^2] : null, " (T1)");
                continue;
            }

            Thread.Sleep(Max(TimeSpan.Zero, next - wall.Elapsed));
            var sample = Take(pool, store, recorder, wall.Elapsed, stuckGrace);
            samples.Add(sample);
            if (samples.Count % 3 == 0 || wall.Elapsed >= duration)
            {
                Print(sample, samples.Count > 1 ? samples[^2] : null, string.Empty);
            }
        }

        // T2.
        var (last, t2From, t2To) = Read(store);
        var t2Sample = samples[^1];
        long heapT2 = ProcessProbe.ManagedHeapAfterFullCollection();
        long errorsT2 = KeptErrorBytes(store);
        var (endedWorkers, endedAlive) = workersSeen.EndedStillReachable();
        t1Sample ??= samples[0];
        first ??= last;

        // Per steady instance, over T1–T2: what every due tick became.
        long lost = 0, extra = 0, tooFew = 0, runsWindow = 0, skippedWindow = 0, dueWindow = 0, failedWindow = 0, timeoutsWindow = 0;
        long failedOtherSlots = 0;
        var worst = new List<string>();
        foreach (string id in steadyIds)
        {
            if (!first.TryGetValue(id, out var start) || !last.TryGetValue(id, out var end))
            {
                continue;
            }

            double interval = end.Interval.TotalSeconds;
            long low = (long)Math.Floor((t2From - t1To).TotalSeconds / interval) - 1;
            long high = (long)Math.Ceiling((t2To - t1From).TotalSeconds / interval) + 1;
            long runs = end.TotalRuns - start.TotalRuns;
            long skipped = end.TotalSkipped - start.TotalSkipped;
            long accounted = Accounted(end) - Accounted(start);
            long failed = (end.TotalErrors - start.TotalErrors) + (end.TotalTimeouts - start.TotalTimeouts);
            runsWindow += runs;
            skippedWindow += skipped;
            failedWindow += end.TotalErrors - start.TotalErrors;
            timeoutsWindow += end.TotalTimeouts - start.TotalTimeouts;
            dueWindow += (long)Math.Round((t2From - t1From).TotalSeconds / interval);
            if (slotOf[id] != chaosSlot)
            {
                failedOtherSlots += failed;
            }

            lost += Math.Max(0, low - accounted);
            extra += Math.Max(0, accounted - high);
            bool fewRuns = runs < low;
            tooFew += fewRuns ? 1 : 0;
            if ((accounted < low || accounted > high || fewRuns) && worst.Count < 5)
            {
                worst.Add($"{id} (slot {slotOf[id]}): {runs} runs ({failed} failed), {skipped} skipped, {accounted} accounted; {low}–{high} due");
            }
        }

        // Per steady instance, over the whole run: what the sender received.
        long doubled = 0, gaps = 0, withoutSequence = 0, mismatches = 0, commits = 0, failedCommits = 0, failedInPython = 0, failedBeforePython = 0;
        long[] causes = new long[Enum.GetValues<LogRecorder.Cause>().Length];
        long timedOutAll = 0;
        foreach (string id in steadyIds)
        {
            if (recorder.Of(id) is { } seen)
            {
                lock (seen)
                {
                    doubled += seen.Doubled;
                    gaps += seen.Gaps;
                    withoutSequence += seen.SucceededWithoutSequence;
                    mismatches += seen.MetricCountMismatches;
                    commits += seen.Commits;
                    failedCommits += seen.Failed;
                    failedInPython += seen.FailedAfterSequence;
                    failedBeforePython += seen.FailedBeforeSequence;
                }
            }

            var failures = logs.Of(id);
            for (int i = 0; i < causes.Length; i++)
            {
                causes[i] += failures.ByCause[i];
            }

            timedOutAll += failures.TimedOut;
        }

        var chaos = recorder.Of(chaosId) ?? new SequenceRecorder.Instance();
        var chaosFailures = logs.Of(chaosId);
        int restarts = pool.Slots[chaosSlot].Restarts;
        int otherRestarts = pool.Slots.Where(s => s.Index != chaosSlot).Sum(static s => s.Restarts);
        long workerEnds = logs.Count(LogRecorder.WorkerEnded);
        long chaosCrashes, chaosProcesses, chaosCrashedOnSchedule, chaosEndsAfterSuccess;
        lock (chaos)
        {
            chaosCrashes = chaos.FailedAfterSequence;
            chaosProcesses = chaos.Processes;
            chaosCrashedOnSchedule = chaos.ProcessEnds[3] + chaos.ProcessEnds[4] + chaos.ProcessEnds[5];
            chaosEndsAfterSuccess = chaos.ProcessEndsAfterSuccess;
        }

        double window = (t2From - t1From).TotalSeconds;
        var (startMean, startMax) = logs.WorkerStartMilliseconds;
        var secondHalf = samples.Where(s => s.Elapsed > t1Sample.Elapsed + ((t2Sample.Elapsed - t1Sample.Elapsed) / 2)).ToList();
        var firstHalf = samples.Where(s => s.Elapsed >= t1Sample.Elapsed && !secondHalf.Contains(s)).ToList();
        Console.WriteLine();
        Console.WriteLine($"ran {wall.Elapsed.TotalSeconds:F0} s; T1–T2 {window:F0} s: {runsWindow:N0} runs of the steady instances ({runsWindow / window:N0}/s; {dueWindow:N0} due), {failedWindow:N0} failed, {timeoutsWindow:N0} timed out, {skippedWindow:N0} skipped");
        Console.WriteLine($"whole run, at the sender: {commits:N0} commits of the steady instances ({commits / (double)instances:F1} per instance; duration / interval = {duration / Interval:F0}), {failedCommits:N0} failed ({failedInPython:N0} in Python when their worker died, {failedBeforePython:N0} sent to it and not started); doubled {doubled:N0}, gaps {gaps:N0}");
        long lostAfterCommit = causes[(int)LogRecorder.Cause.WorkerLost] - failedCommits;
        Console.WriteLine($"steady runs failed, whole run, by cause (scheduler's log): worker lost during the run {causes[(int)LogRecorder.Cause.WorkerLost]:N0} (of which {lostAfterCommit:N0} after their commit had reached the sender, marked succeeded), worker lost while it loaded the instance {causes[(int)LogRecorder.Cause.WorkerLostWhileLoading]:N0}, waited for its worker past the timeout {causes[(int)LogRecorder.Cause.NotTaken]:N0}, worker not started {causes[(int)LogRecorder.Cause.WorkerNotStarted]:N0}, quarantined {causes[(int)LogRecorder.Cause.Quarantined]:N0}, other {causes[(int)LogRecorder.Cause.Other]:N0}; timed out {timedOutAll:N0}");
        Console.WriteLine($"chaos: {chaos.Commits:N0} commits ({chaos.Succeeded:N0} succeeded), {chaosCrashes:N0} crashes seen at the sender, {chaosProcesses:N0} worker processes; run it crashed on (per ended worker): 3rd {chaos.ProcessEnds[3]}, 4th {chaos.ProcessEnds[4]}, 5th {chaos.ProcessEnds[5]}; its failed runs: lost {chaosFailures.ByCause[(int)LogRecorder.Cause.WorkerLost]:N0}, not taken {chaosFailures.ByCause[(int)LogRecorder.Cause.NotTaken]:N0}, other {chaosFailures.Total - chaosFailures.ByCause[(int)LogRecorder.Cause.WorkerLost] - chaosFailures.ByCause[(int)LogRecorder.Cause.NotTaken]:N0}; timed out {chaosFailures.TimedOut:N0}");
        Console.WriteLine($"worker processes: slot {chaosSlot} (chaos) restarted {restarts:N0} times, the others {otherRestarts:N0}; events: started (1201) {logs.Count(LogRecorder.WorkerStarted):N0}, ended (1202) {workerEnds:N0} ({logs.WorkerEndsBySegfault:N0} by SIGSEGV), start failed (1203) {logs.Count(LogRecorder.WorkerStartFailed):N0}, quarantined (1204) {logs.Count(LogRecorder.WorkerQuarantined):N0}; start to Python ready: mean {startMean:F0} ms, max {startMax:N0} ms");
        Console.WriteLine($"ended workers seen: {endedWorkers:N0}, still reachable after full GCs: {endedAlive:N0}");
        Console.WriteLine($"T1 → T2: managed heap after full GC {ProcessProbe.MiB(heapT1)} → {ProcessProbe.MiB(heapT2)} (the last errors the status store keeps, one per instance: {ProcessProbe.MiB(errorsT1)} → {ProcessProbe.MiB(errorsT2)}); RSS {ProcessProbe.MiB(t1Sample.Rss)} → {ProcessProbe.MiB(t2Sample.Rss)} (max {ProcessProbe.MiB(samples.Max(static s => s.Rss))}); fds {t1Sample.Fds} → {t2Sample.Fds} (max {samples.Max(static s => s.Fds)}); threads {t1Sample.Threads} → {t2Sample.Threads}; worker folder entries {t1Sample.FolderEntries} → {t2Sample.FolderEntries}; live children {t1Sample.Children} → {t2Sample.Children}, zombies max {samples.Max(static s => s.Zombies)}");
        Console.WriteLine($"worker RSS by slot, T1 → T2: {string.Join(", ", pool.Slots.Select(s => $"{s.Index}: {ProcessProbe.MiB(t1Sample.WorkerRss[s.Index])} → {ProcessProbe.MiB(t2Sample.WorkerRss[s.Index])}"))}");
        Console.WriteLine($"load average: {t1Sample.Load} at T1, {ProcessProbe.LoadAverage()} at T2");
        Console.WriteLine($"stalls: {stalls.Describe()}");
        foreach (string line in worst.Concat(logs.WorkerEnds.NotSegfault))
        {
            Console.WriteLine("  " + line);
        }

        foreach (var cause in Enum.GetValues<LogRecorder.Cause>())
        {
            foreach (string example in logs.Examples(cause))
            {
                Console.WriteLine($"  failed run, {cause}: {example.ReplaceLineEndings(" ⏎ ")}");
            }
        }

        // No run lost, none doubled.
        verdict.Require(lost == 0 && extra == 0, $"every due tick of every steady instance, T1–T2, is a run, a skip or the run in progress, none twice (±1 tick at each edge; lost {lost:N0}, extra {extra:N0})");
        verdict.Require(tooFew == 0, $"every steady instance ran window / interval times, T1–T2, failed runs included, ±1 at each edge ({tooFew:N0} instances ran fewer; skipped ticks {skippedWindow:N0})");
        long oldest = samples.Max(static s => s.OverdueRuns);
        verdict.Require(oldest == 0, $"no run stayed in progress past its timeout + the stuck-run grace + 10 s, at any 10 s sample (max {oldest:N0} such runs; oldest run seen {samples.Max(static s => s.OldestRun).TotalSeconds:F1} s)");
        verdict.Require(doubled == 0, $"no run number committed twice from one worker, whole run ({doubled:N0})");
        verdict.Require(gaps == 0, $"no run that ran in Python and never reached the sender (gaps in the run numbers within one worker: {gaps:N0})");
        verdict.Require(withoutSequence == 0 && mismatches == 0, $"every succeeded commit carried its run number, and every commit's counts match the samples before it ({withoutSequence:N0} without a number, {mismatches:N0} mismatched)");

        // Failed runs: only in the chaos instance's worker, and only by its loss.
        verdict.Require(failedOtherSlots == 0, $"no run of an instance in another worker than the chaos instance's failed or timed out, T1–T2 ({failedOtherSlots:N0})");
        long otherCauses = causes[(int)LogRecorder.Cause.Other] + causes[(int)LogRecorder.Cause.WorkerNotStarted] + causes[(int)LogRecorder.Cause.Quarantined];
        verdict.Require(otherCauses == 0, $"every failed steady run failed by the loss of its worker, or by waiting for it ({causes[(int)LogRecorder.Cause.WorkerLost]:N0} lost during the run, {causes[(int)LogRecorder.Cause.WorkerLostWhileLoading]:N0} while loading, {causes[(int)LogRecorder.Cause.NotTaken]:N0} waited; other causes {otherCauses:N0})");

        // The chaos worker: restarted after each crash, each time because of the chaos instance, never quarantined.
        long minimumRestarts = (long)(duration.TotalSeconds / 15);
        verdict.Require(restarts >= minimumRestarts, $"the chaos instance's worker was restarted every few seconds: {restarts:N0} restarts ≥ {minimumRestarts:N0} (one per 15 s)");
        verdict.Require(otherRestarts == 0, $"no other worker was restarted ({otherRestarts:N0})");
        verdict.Require(workerEnds == restarts + otherRestarts && logs.WorkerEndsBySegfault == workerEnds, $"every restart was logged (1202: {workerEnds:N0}) and was a segmentation fault ({logs.WorkerEndsBySegfault:N0})");
        verdict.Require(Math.Abs(chaosCrashes - restarts) <= 1 && chaosCrashedOnSchedule == chaosProcesses - 1 && chaosEndsAfterSuccess == 0, $"each restart followed a chaos run that crashed on its 3rd–5th run in its worker (crashes at the sender {chaosCrashes:N0}, restarts {restarts:N0}; {chaosCrashedOnSchedule:N0} of {chaosProcesses - 1:N0} ended workers on schedule)");
        verdict.Require(logs.Count(LogRecorder.WorkerQuarantined) == 0 && logs.Count(LogRecorder.WorkerStartFailed) == 0, $"nothing quarantined, no worker failed to start ({logs.Count(LogRecorder.WorkerQuarantined)} quarantined, {logs.Count(LogRecorder.WorkerStartFailed)} start failures)");

        // Host resources, T1 to T2.
        verdict.Require(endedAlive <= 1, $"every ended worker's host-side object was collected, but for one whose end may be in hand ({endedAlive:N0} of {endedWorkers:N0} still reachable)");
        // The status store keeps each instance's last error (with its worker's last lines on stderr): more instances have one as the
        // crashes go on, which is bounded by the instances, not a leak; it is taken out of the growth.
        // After full collections the heap still moves by a few MiB from one sample to the next (what is in flight at that
        // moment: frames, reloads into a new worker), so the halves' maxima are compared, and T2 with the first half's.
        long errorsGrowth = errorsT2 - errorsT1;
        long heapFirst = Math.Max(heapT1, firstHalf.Count == 0 ? 0 : firstHalf.Max(static s => s.HeapAfterGc));
        long heapSecond = Math.Max(heapT2, secondHalf.Count == 0 ? 0 : secondHalf.Max(static s => s.HeapAfterGc));
        verdict.Require(heapSecond - errorsGrowth <= heapFirst + (2L << 20), $"managed heap bounded (after full GCs, every 10 s): second half's max {ProcessProbe.MiB(heapSecond)} (T2 {ProcessProbe.MiB(heapT2)}), less the growth of the last errors kept ({ProcessProbe.MiB(errorsGrowth)}), ≤ first half's max {ProcessProbe.MiB(heapFirst)} (T1 {ProcessProbe.MiB(heapT1)}) + 2 MiB");
        long rssFirstHalf = firstHalf.Count == 0 ? t1Sample.Rss : firstHalf.Max(static s => s.Rss);
        long rssSecondHalf = secondHalf.Count == 0 ? t2Sample.Rss : secondHalf.Max(static s => s.Rss);
        verdict.Require(t2Sample.Rss <= t1Sample.Rss + (32L << 20) && rssSecondHalf <= rssFirstHalf + (16L << 20), $"RSS bounded: {ProcessProbe.MiB(t2Sample.Rss)} at T2 ≤ {ProcessProbe.MiB(t1Sample.Rss)} at T1 + 32 MiB; second half's max {ProcessProbe.MiB(rssSecondHalf)} ≤ first half's {ProcessProbe.MiB(rssFirstHalf)} + 16 MiB");
        int fdsFirstHalf = firstHalf.Count == 0 ? t1Sample.Fds : firstHalf.Max(static s => s.Fds);
        int fdsSecondHalf = secondHalf.Count == 0 ? t2Sample.Fds : secondHalf.Max(static s => s.Fds);
        verdict.Require(t2Sample.Fds <= t1Sample.Fds + 8 && fdsSecondHalf <= fdsFirstHalf + 8, $"open file descriptors bounded: {t2Sample.Fds} at T2 ≤ {t1Sample.Fds} at T1 + 8; second half's max {fdsSecondHalf} ≤ first half's {fdsFirstHalf} + 8");
        verdict.Require(t2Sample.Threads <= t1Sample.Threads + 16, $"threads bounded: {t2Sample.Threads} at T2 ≤ {t1Sample.Threads} at T1 + 16");
        int staleMax = samples.Max(static s => s.StaleJournals), entriesMax = samples.Max(static s => s.FolderEntries);
        int entriesBound = instances + 1 + (2 * workers) + 2; // a journal per instance in its current worker, a socket per starting worker, the launch files
        verdict.Require(samples.Max(static s => s.Children) <= workers + 1 && samples.Max(static s => s.Zombies) <= 1, $"no worker process left behind: live children ≤ {workers} + 1 starting (max {samples.Max(static s => s.Children)}), zombies ≤ 1 being reaped (max {samples.Max(static s => s.Zombies)})");
        verdict.Require(staleMax == 0 && entriesMax <= entriesBound, $"no file left behind in the workers' folder: journals of ended workers {staleMax} at every sample; entries ≤ {entriesBound:N0} (max {entriesMax:N0}; T1 {t1Sample.FolderEntries:N0}, T2 {t2Sample.FolderEntries:N0})");

        // A worker that was never restarted (not the chaos instance's) ran the whole time: its memory must level off too.
        foreach (var slot in pool.Slots.Where(s => s.Restarts == 0))
        {
            long firstMax = firstHalf.Count == 0 ? t1Sample.WorkerRss[slot.Index] : firstHalf.Max(s => s.WorkerRss[slot.Index]);
            long secondMax = secondHalf.Count == 0 ? t2Sample.WorkerRss[slot.Index] : secondHalf.Max(s => s.WorkerRss[slot.Index]);
            verdict.Require(secondMax <= firstMax + (16L << 20), $"worker {slot.Index} (never restarted) RSS bounded: second half's max {ProcessProbe.MiB(secondMax)} ≤ first half's {ProcessProbe.MiB(firstMax)} + 16 MiB (T1 {ProcessProbe.MiB(t1Sample.WorkerRss[slot.Index])}, T2 {ProcessProbe.MiB(t2Sample.WorkerRss[slot.Index])})");
        }

        // Stopped: every run ended, and what the store counts agrees with what the sender received.
        var stopping = Stopwatch.StartNew();
        host.StopAsync().GetAwaiter().GetResult();
        stopping.Stop();
        Thread.Sleep(TimeSpan.FromSeconds(1)); // a loss being handled at the stop finishes
        long mismatched = 0, runsTotal = 0, stillRunning = 0;
        foreach (var status in store.GetAll())
        {
            var seen = recorder.Of(status.CheckId);
            long commitsOf = seen is null ? 0 : Interlocked.Read(ref seen.Commits);
            var failures = logs.Of(status.CheckId);
            runsTotal += status.TotalRuns;
            stillRunning += status.State is CheckState.Running or CheckState.Stuck ? 1 : 0;

            // A run that never reached a worker (it waited for one past its timeout, or the stop cancelled it) commits nothing.
            long notSent = status.TotalRuns - commitsOf;
            long mayNotBeSent = status.TotalTimeouts + status.TotalCancelled + failures.ByCause[(int)LogRecorder.Cause.NotTaken] + failures.ByCause[(int)LogRecorder.Cause.WorkerLostWhileLoading]
                + failures.ByCause[(int)LogRecorder.Cause.WorkerNotStarted] + failures.ByCause[(int)LogRecorder.Cause.Quarantined];
            if (notSent < 0 || notSent > mayNotBeSent)
            {
                mismatched++;
            }
        }

        Console.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:F1} s; since start: {runsTotal:N0} runs in the store, {recorder.Commits:N0} commits at the sender");
        verdict.Require(stillRunning == 0, $"once stopped, no run is in progress ({stillRunning:N0})");
        verdict.Require(mismatched == 0, $"once stopped, every run the store counts reached the sender once, except runs that never reached a worker, for every instance ({mismatched:N0} instances differ)");
    }

    /// <summary>
    /// The entries of the workers' folder, and the submission journals in it (<c>j&lt;pid&gt;.&lt;handle&gt;</c>) of no current
    /// worker: a worker's journals are read and deleted when it ends, before its slot lets it go.
    /// </summary>
    private static (int Entries, int StaleJournals) WorkerFolder(WorkerProcessPool pool)
    {
        var pids = CurrentPids(pool);
        string[] entries = Directory.GetFileSystemEntries(pool.Folder);
        pids.UnionWith(CurrentPids(pool)); // a worker started meanwhile
        int stale = 0;
        foreach (string entry in entries)
        {
            string name = Path.GetFileName(entry);
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (name.StartsWith('j') && dot > 1 && int.TryParse(name.AsSpan(1, dot - 1), out int pid) && !pids.Contains(pid))
            {
                stale++;
            }
        }

        return (entries.Length, stale);
    }

    private static HashSet<int> CurrentPids(WorkerProcessPool pool) =>
        [.. pool.Slots.Select(static s => s.Current).OfType<WorkerProcess>().Select(static w => w.Pid)];

    /// <summary>The UTF-16 bytes of the last error and traceback the status store keeps per instance.</summary>
    private static long KeptErrorBytes(ICheckStatusStore store) =>
        store.GetAll().Sum(static s => 2L * ((s.LastError?.Length ?? 0) + (s.LastTraceback?.Length ?? 0)));

    private static Dictionary<string, int> SlotsOf(WorkerProcessPool pool)
    {
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var slot in pool.Slots)
        {
            lock (slot)
            {
                foreach (var check in slot.Checks)
                {
                    slots[check.Id] = slot.Index;
                }
            }
        }

        return slots;
    }

    private static Sample Take(WorkerProcessPool pool, ICheckStatusStore store, SequenceRecorder recorder, TimeSpan elapsed, TimeSpan stuckGrace)
    {
        var now = DateTimeOffset.UtcNow;
        int overdue = 0;
        var oldest = TimeSpan.Zero;
        foreach (var status in store.GetAll())
        {
            if (status.State is CheckState.Running or CheckState.Stuck && status.LastRunStartedAt is { } started)
            {
                var age = now - started;
                oldest = Max(oldest, age);
                overdue += age > status.Timeout + stuckGrace + TimeSpan.FromSeconds(10) ? 1 : 0;
            }
        }

        var (children, zombies) = ProcessProbe.Children();
        var (folderEntries, staleJournals) = WorkerFolder(pool);
        return new Sample(
            elapsed,
            recorder.Commits,
            pool.Slots.Sum(static s => s.Restarts),
            overdue,
            oldest,
            ProcessProbe.OpenFileDescriptors(),
            ProcessProbe.Threads(),
            children,
            zombies,
            folderEntries,
            staleJournals,
            ProcessProbe.ManagedHeapAfterFullCollection(),
            ProcessProbe.Rss(),
            [.. pool.Slots.Select(static s => s.Current is { IsAlive: true } worker ? worker.ResidentBytes() : 0)],
            ProcessProbe.LoadAverage());
    }

    private static void Print(Sample sample, Sample? previous, string note)
    {
        double rate = previous is null ? 0 : (sample.Commits - previous.Commits) / (sample.Elapsed - previous.Elapsed).TotalSeconds;
        string workerRss = string.Join(" ", sample.WorkerRss.Select(ProcessProbe.MiB));
        Console.WriteLine($"  {sample.Elapsed.TotalSeconds,5:F0} s {rate,10:N0} {sample.Restarts,9:N0} {sample.OldestRun.TotalSeconds,9:F1} s {sample.Fds,5} {sample.Threads,8} {sample.Children,8} ({sample.Zombies}) {ProcessProbe.MiB(sample.HeapAfterGc),18} {ProcessProbe.MiB(sample.Rss),10}   {workerRss,-26} {sample.Load}{note}");
    }

    /// <summary>Due ticks an instance has dealt with: completed runs, reported skips, and the run in progress.</summary>
    private static long Accounted(CheckStatus status) =>
        status.TotalRuns + status.TotalSkipped + (status.State is CheckState.Running or CheckState.Stuck ? 1 : 0);

    private static (Dictionary<string, CheckStatus> Statuses, DateTimeOffset From, DateTimeOffset To) Read(ICheckStatusStore store)
    {
        var from = DateTimeOffset.UtcNow;
        var statuses = store.GetAll().ToDictionary(static s => s.CheckId, StringComparer.Ordinal);
        return (statuses, from, DateTimeOffset.UtcNow);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>One 10 s reading: the host process, its workers and its runs.</summary>
    private sealed record Sample(
        TimeSpan Elapsed,
        long Commits,
        int Restarts,
        int OverdueRuns,
        TimeSpan OldestRun,
        int Fds,
        int Threads,
        int Children,
        int Zombies,
        int FolderEntries,
        int StaleJournals,
        long HeapAfterGc,
        long Rss,
        long[] WorkerRss,
        string Load);

    /// <summary>
    /// Remembers, four times a second, every worker process the pool has had, by a weak reference: once ended and
    /// replaced, a worker's host-side object must become garbage, or each restart would leak one.
    /// </summary>
    private sealed class WorkerWatch : IDisposable
    {
        private readonly WorkerProcessPool _pool;
        private readonly List<WeakReference<WorkerProcess>> _seen = [];
        private readonly HashSet<int> _pids = [];
        private readonly Timer _timer;

        public WorkerWatch(WorkerProcessPool pool)
        {
            _pool = pool;
            _timer = new Timer(static s => ((WorkerWatch)s!).Look(), this, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
        }

        /// <summary>Workers seen that are no longer current, and how many of them a full collection did not reclaim.</summary>
        public (int Ended, int Reachable) EndedStillReachable()
        {
            lock (_seen)
            {
                ProcessProbe.ManagedHeapAfterFullCollection();
                var current = _pool.Slots.Select(static s => s.Current).ToHashSet();
                int ended = 0, reachable = 0;
                foreach (var reference in _seen)
                {
                    if (!reference.TryGetTarget(out var worker))
                    {
                        ended++;
                    }
                    else if (!current.Contains(worker))
                    {
                        ended++;
                        reachable++;
                    }
                }

                return (ended, reachable);
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Look()
        {
            lock (_seen)
            {
                foreach (var slot in _pool.Slots)
                {
                    if (slot.Current is { } worker && _pids.Add(worker.Pid))
                    {
                        _seen.Add(new WeakReference<WorkerProcess>(worker));
                    }
                }
            }
        }
    }
}
