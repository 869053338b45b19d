using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyChecks.Soak;

/// <summary>
/// <c>schedule</c>: 10,000 instances of the small check (half every second, half every 2 s: 7,500 runs/s) in a
/// Generic Host with <c>AddPyChecks</c>, on the real clock, measured for <c>--duration</c> (default 10 minutes) after
/// a warm-up.
/// </summary>
/// <remarks>
/// Accounting, per instance, from the status store: a due tick is either a completed run, a skip the store reports, or
/// the run in progress. Between two readings of the store, T1 and T2, <c>runs + skipped + in progress</c> must have
/// grown by (T2 − T1) / interval, within one tick either way for the reading's own edges: fewer is a lost run, more is
/// a run nobody scheduled. Every run counted must also have reached the senders (one commit each). The backlog is
/// measured from outside: instances in progress (dispatched, not finished: waiting for a worker or running), threads
/// and the managed heap, sampled every 10 s. A stall watch says whether the process as a whole stood still (GC
/// pauses, CPU stolen from the virtual machine) when runs were late or skipped.
/// </remarks>
internal static class ScheduleScenario
{
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromSeconds(10);

    public static TimeSpan DurationOf(SoakArguments arguments) => arguments.Duration ?? TimeSpan.FromMinutes(10);

    public static void Run(SoakArguments arguments, Verdict verdict)
    {
        int instances = (int)(arguments.Scale ?? 10_000);
        var duration = DurationOf(arguments);
        var warmUp = TimeSpan.FromSeconds(Math.Min(30, Math.Max(5, duration.TotalSeconds / 4)));
        using var folder = new SoakFolder("schedule").Check("small", SoakFolder.SmallCheck);
        using var probe = new RunProbe();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
        builder.Services.AddSingleton<ISender>(probe);
        builder.Services.AddPyChecks(o =>
        {
            folder.Configure(o, arguments);
            o.MaxStartJitter = TimeSpan.FromSeconds(2);
            o.Checks.Add(new CheckConfig
            {
                Name = "small",
                Instances = [.. Enumerable.Range(0, instances).Select(static i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["index"] = (long)i,
                    ["min_collection_interval"] = i % 2 == 0 ? 1L : 2L,
                })],
            });
        });

        double dueTicksPerSecond = ((instances + 1) / 2) + (instances / 2 / 2.0); // even indexes every second, odd ones every 2 s
        Console.WriteLine($"{instances:N0} instances of a check submitting 10 gauges (half every 1 s, half every 2 s: {dueTicksPerSecond:N0} due runs/s), 2 Python workers, start jitter ≤ 2 s; warm-up {warmUp.TotalSeconds:F0} s, then {duration:g} measured");

        var loading = Stopwatch.StartNew();
        using var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        loading.Stop();
        var runtime = host.Services.GetRequiredService<PythonRuntime>();
        var store = host.Services.GetRequiredService<ICheckStatusStore>();
        Console.WriteLine($"Python {runtime.Version.Major}.{runtime.Version.Minor}.{runtime.Version.Micro} from {runtime.Location.LibraryPath}; host started (instances loaded and scheduled) in {loading.Elapsed.TotalSeconds:F1} s");
        verdict.Require(store.GetAll().Count == instances && store.LoadErrors.Count == 0, $"all {instances:N0} instances scheduled (store has {store.GetAll().Count:N0}, load errors {store.LoadErrors.Count})");

        Thread.Sleep(warmUp);

        // T1, a while after the full collections: runs due during their pause are dispatched late, and would count as due but not dealt with.
        long heapStart = ProcessProbe.ManagedHeapAfterFullCollection();
        Thread.Sleep(TimeSpan.FromSeconds(3));
        var (first, t1From, t1To) = Read(store);
        probe.ResetLateness();
        long runsStart = probe.Runs, skippedStart = probe.Skipped;
        var cpuStart = ProcessProbe.CpuTime();
        using var stalls = new StallWatch();
        var wall = Stopwatch.StartNew();
        long rssStart = ProcessProbe.Rss(), rssMax = rssStart, heapMax = ProcessProbe.ManagedHeap();
        int threadsStart = ProcessProbe.Threads(), threadsMax = threadsStart, inFlightMax = InProgress(first.Values), samples = 0;
        string loadStart = ProcessProbe.LoadAverage();
        Console.WriteLine($"measuring from {DateTimeOffset.UtcNow:HH:mm:ss} UTC: managed heap (after full GC) {ProcessProbe.MiB(heapStart)}, RSS {ProcessProbe.MiB(rssStart)}, {threadsStart} threads, load {loadStart}");
        Console.WriteLine("  elapsed   runs/s  skipped  in progress   threads   managed heap        RSS   lateness p99 so far   load");

        while (wall.Elapsed < duration)
        {
            Thread.Sleep(Min(SamplePeriod, duration - wall.Elapsed));
            long rss = ProcessProbe.Rss(), heap = ProcessProbe.ManagedHeap();
            int threads = ProcessProbe.Threads();
            int inFlight = InProgress(store.GetAll());
            rssMax = Math.Max(rssMax, rss);
            heapMax = Math.Max(heapMax, heap);
            threadsMax = Math.Max(threadsMax, threads);
            inFlightMax = Math.Max(inFlightMax, inFlight);
            if (++samples % 3 == 0 || wall.Elapsed >= duration)
            {
                Console.WriteLine($"  {wall.Elapsed.TotalSeconds,6:F0} s {(probe.Runs - runsStart) / wall.Elapsed.TotalSeconds,8:N0} {probe.Skipped - skippedStart,8:N0} {inFlight,12:N0} {threads,9} {ProcessProbe.MiB(heap),14} {ProcessProbe.MiB(rss),10} {LatencyHistogram.Format(probe.Lateness.Percentile(0.99)),21}   {ProcessProbe.LoadAverage()}");
            }
        }

        // T2.
        var (last, t2From, t2To) = Read(store);
        wall.Stop();
        var cpu = ProcessProbe.CpuTime() - cpuStart;
        long runs = probe.Runs - runsStart, skipped = probe.Skipped - skippedStart;
        long rssEnd = ProcessProbe.Rss();
        int threadsEnd = ProcessProbe.Threads();
        var lateness = probe.Lateness;
        long heapEnd = ProcessProbe.ManagedHeapAfterFullCollection();
        string loadEnd = ProcessProbe.LoadAverage();

        // Per instance: what every due tick between T1 and T2 became.
        long lost = 0, extra = 0, dueTicks = 0, accountedTicks = 0, storeRuns = 0, storeSkipped = 0, errors = 0, timeouts = 0;
        var worst = new List<string>();
        foreach (var (id, end) in last)
        {
            if (!first.TryGetValue(id, out var start))
            {
                continue;
            }

            double interval = end.Interval.TotalSeconds;
            long low = (long)Math.Floor((t2From - t1To).TotalSeconds / interval) - 1;
            long high = (long)Math.Ceiling((t2To - t1From).TotalSeconds / interval) + 1;
            long accounted = Accounted(end) - Accounted(start);
            dueTicks += (long)Math.Round((t2From - t1From).TotalSeconds / interval);
            accountedTicks += accounted;
            storeRuns += end.TotalRuns - start.TotalRuns;
            storeSkipped += end.TotalSkipped - start.TotalSkipped;
            errors += end.TotalErrors - start.TotalErrors;
            timeouts += end.TotalTimeouts - start.TotalTimeouts;
            if (accounted < low || accounted > high)
            {
                lost += Math.Max(0, low - accounted);
                extra += Math.Max(0, accounted - high);
                if (worst.Count < 5)
                {
                    worst.Add($"{id}: {accounted} accounted, {low}–{high} due (runs {end.TotalRuns - start.TotalRuns}, skipped {end.TotalSkipped - start.TotalSkipped})");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"measured {wall.Elapsed.TotalSeconds:F0} s: {runs:N0} runs ({runs / wall.Elapsed.TotalSeconds:N0} runs/s; {dueTicksPerSecond:N0} due/s), {skipped:N0} skipped ({100.0 * skipped / Math.Max(1, runs + skipped):F3} %)");
        Console.WriteLine($"lateness (pychecks.scheduler.lateness): {lateness.Describe()}");
        Console.WriteLine($"CPU: {cpu.TotalSeconds:F1} s = {100 * cpu.TotalSeconds / wall.Elapsed.TotalSeconds / Environment.ProcessorCount:F1} % of {Environment.ProcessorCount} cores, {cpu.TotalMicroseconds / Math.Max(1, runs):F1} µs per run");
        Console.WriteLine($"RSS start / end / max: {ProcessProbe.MiB(rssStart)} / {ProcessProbe.MiB(rssEnd)} / {ProcessProbe.MiB(rssMax)}");
        Console.WriteLine($"managed heap after full GC start / end: {ProcessProbe.MiB(heapStart)} / {ProcessProbe.MiB(heapEnd)}; max sampled (no GC): {ProcessProbe.MiB(heapMax)}");
        Console.WriteLine($"threads start / end / max: {threadsStart} / {threadsEnd} / {threadsMax}; instances in progress, max sampled: {inFlightMax:N0}");
        Console.WriteLine($"status store over the window: {storeRuns:N0} runs, {storeSkipped:N0} skipped, {errors:N0} errors, {timeouts:N0} timeouts; due ticks ≈ {dueTicks:N0}, accounted {accountedTicks:N0}");
        Console.WriteLine($"load average: {loadStart} at T1, {loadEnd} at T2");
        Console.WriteLine($"stalls: {stalls.Describe()}");
        foreach (string line in worst)
        {
            Console.WriteLine("  " + line);
        }

        verdict.Require(lost == 0, $"every due tick is a run or a reported skip, for every instance (ticks lost: {lost:N0})");
        verdict.Require(extra == 0, $"no instance ran more often than its interval allows (extra runs: {extra:N0})");
        long tolerance = Math.Max(dueTicks / 1000, (long)(dueTicksPerSecond / 4));
        verdict.Require(Math.Abs(accountedTicks - dueTicks) <= tolerance, $"all together, runs + skipped + in progress ({accountedTicks:N0}) match the due ticks ({dueTicks:N0}) within 0.1 % or 250 ms of ticks (±{tolerance:N0})");
        verdict.Require(errors == 0 && timeouts == 0, $"no run failed or timed out ({errors:N0} errors, {timeouts:N0} timeouts)");
        verdict.Require(skipped <= (runs + skipped) / 20, $"the machine kept up: skipped ≤ 5 % of due runs ({100.0 * skipped / Math.Max(1, runs + skipped):F3} %)");
        // A run waits for a worker at most its timeout (here its interval) before it is cancelled, and an instance never has two
        // runs in progress: more than a second of due runs in progress would mean work piling up somewhere.
        verdict.Require(inFlightMax <= dueTicksPerSecond, $"backlog bounded: instances in progress ≤ one second of due runs ({dueTicksPerSecond:N0}) at every sample (max {inFlightMax:N0})");
        verdict.Require(threadsMax <= threadsStart + 16, $"threads bounded: max {threadsMax} ≤ {threadsStart} at T1 + 16");
        verdict.Require(heapEnd <= (heapStart * 5 / 4) + (16L << 20), $"managed heap bounded: {ProcessProbe.MiB(heapEnd)} at T2 ≤ 1.25 × {ProcessProbe.MiB(heapStart)} at T1 + 16 MiB (after full GCs)");
        verdict.Require(rssEnd <= (rssStart * 5 / 4) + (64L << 20), $"RSS bounded: {ProcessProbe.MiB(rssEnd)} at T2 ≤ 1.25 × {ProcessProbe.MiB(rssStart)} at T1 + 64 MiB");

        // Stopped: every run that the store counts reached the senders, and only those.
        var stopping = Stopwatch.StartNew();
        host.StopAsync().GetAwaiter().GetResult();
        stopping.Stop();
        long mismatched = 0, commitsTotal = 0, succeededTotal = 0, metricsTotal = 0, runsTotal = 0, skippedTotal = 0;
        foreach (var status in store.GetAll())
        {
            var (commits, succeeded, metrics) = probe.CommitsOf(status.CheckId);
            commitsTotal += commits;
            succeededTotal += succeeded;
            metricsTotal += metrics;
            runsTotal += status.TotalRuns;
            skippedTotal += status.TotalSkipped;
            long notInPython = status.TotalRuns - commits; // runs cancelled at stop before they started never reach Python
            if (notInPython < 0 || notInPython > status.TotalCancelled + status.TotalTimeouts)
            {
                mismatched++;
            }
        }

        Console.WriteLine($"stopped in {stopping.Elapsed.TotalSeconds:F1} s; since start: {runsTotal:N0} runs in the store, {commitsTotal:N0} commits ({succeededTotal:N0} of succeeded runs, with {metricsTotal:N0} metrics) at the sender");
        verdict.Require(runsTotal == probe.Runs && skippedTotal == probe.Skipped, $"the status store and the telemetry agree once stopped (runs {runsTotal:N0} vs {probe.Runs:N0}, skipped {skippedTotal:N0} vs {probe.Skipped:N0})");
        verdict.Require(mismatched == 0, $"every run the store counts reached the senders once, for every instance ({mismatched:N0} instances differ)");
        verdict.Require(metricsTotal == succeededTotal * 10, $"every succeeded run's commit carried its 10 metrics ({metricsTotal:N0} metrics, {succeededTotal:N0} commits)");
    }

    /// <summary>Due ticks an instance has dealt with: completed runs, reported skips, and the run in progress.</summary>
    private static long Accounted(CheckStatus status) =>
        status.TotalRuns + status.TotalSkipped + (status.State is CheckState.Running or CheckState.Stuck ? 1 : 0);

    private static int InProgress(IEnumerable<CheckStatus> statuses) => statuses.Count(static s => s.State is CheckState.Running or CheckState.Stuck);

    private static (Dictionary<string, CheckStatus> Statuses, DateTimeOffset From, DateTimeOffset To) Read(ICheckStatusStore store)
    {
        var from = DateTimeOffset.UtcNow;
        var statuses = store.GetAll().ToDictionary(static s => s.CheckId, StringComparer.Ordinal);
        return (statuses, from, DateTimeOffset.UtcNow);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
