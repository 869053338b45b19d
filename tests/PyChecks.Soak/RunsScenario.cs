using System.Diagnostics;

namespace PyChecks.Soak;

/// <summary>
/// <c>runs</c>: one instance of the small check (10 gauges with 2 tags) run 1,000,000 times through
/// <see cref="ICheck.RunAsync"/> from the program's thread (each run hops to a Python worker and back, commits to a
/// counting sender and returns its <see cref="CheckRunResult"/>). Memory is read every 1/50 of the runs after a
/// 10,000-run warm-up; the first reading is the start.
/// </summary>
/// <remarks>
/// Bounds, from start to end: managed heap after full collections +256 KiB; PyChecks's native memory in use +0;
/// Python's allocated blocks (after <c>gc.collect()</c>) +5,096 (the string cache's 4,096 slots fill slowly with the
/// check's per-run tag strings, see README.md, plus 1,000); RSS +48 MiB (the GC's committed memory and glibc's arenas
/// settle over the first few hundred thousand runs). Trends, from the first half's maximum to the second's: RSS
/// +8 MiB (a leak of 16 bytes per run exceeds it), managed heap +64 KiB, Python blocks +256 (a block per 2,000 runs).
/// </remarks>
internal static class RunsScenario
{
    private const int WarmUpRuns = 10_000;
    private const int Samples = 50;

    // The host's string cache keeps up to this many str objects alive, tag strings a check builds afresh each run among them.
    private const int StringCacheSlots = 4_096;

    public static void Run(SoakArguments arguments, Verdict verdict)
    {
        long runs = arguments.Scale ?? 1_000_000;
        using var folder = new SoakFolder("runs").Check("small", SoakFolder.SmallCheck);
        var sender = new RunProbe();
        var options = folder.Options(arguments);
        options.Checks.Add(new CheckConfig { Name = "small", Instances = [new Dictionary<string, object?> { ["index"] = 1L }] });
        using var host = CheckHost.Start(options, [sender]);
        var version = host.Runtime.Version;
        Console.WriteLine($"Python {version.Major}.{version.Minor}.{version.Micro} from {host.Runtime.Location.LibraryPath}");
        Console.WriteLine($"{runs:N0} runs of one instance of a check submitting 10 gauges with 2 tags, through ICheck.RunAsync from the program's thread; {WarmUpRuns:N0} runs of warm-up");

        var loaded = host.LoadConfiguredChecks();
        if (loaded.Errors.Count > 0)
        {
            throw new InvalidOperationException("The small check did not load: " + string.Join("; ", loaded.Errors.Select(static e => e.Message)));
        }

        using var check = loaded.Checks.Single();
        using var memory = new MemoryProbe(host.Runtime);

        long failed = 0;
        for (int i = 0; i < WarmUpRuns; i++)
        {
            failed += RunOnce(check);
        }

        long every = Math.Max(1, runs / Samples);
        var points = new List<(long Runs, MemoryProbe.Reading Reading)> { (0, memory.Read()) };
        Console.WriteLine("       runs   heap (no GC)  heap after GC   native in use   Python blocks          RSS   load");
        Print(0, points[0].Reading);
        var clock = Stopwatch.StartNew();
        var sampling = TimeSpan.Zero;
        for (long i = 1; i <= runs; i++)
        {
            failed += RunOnce(check);
            if (i % every == 0 || i == runs)
            {
                var sampleStart = clock.Elapsed;
                var reading = memory.Read();
                sampling += clock.Elapsed - sampleStart;
                points.Add((i, reading));
                if (points.Count % 5 == 1 || i == runs)
                {
                    Print(i, reading);
                }
            }
        }

        clock.Stop();
        var running = clock.Elapsed - sampling;
        var (_, start) = points[0];
        var (_, end) = points[^1];
        var firstHalf = points.Where(p => p.Runs <= runs / 2).Select(static p => p.Reading).ToList();
        var secondHalf = points.Where(p => p.Runs > runs / 2).Select(static p => p.Reading).ToList();
        var (commits, _, metrics) = sender.CommitsOf(check.Id);

        Console.WriteLine();
        Console.WriteLine($"{runs:N0} runs in {running.TotalSeconds:F1} s (sampling excluded): {runs / running.TotalSeconds:N0} runs/s, {running.TotalMicroseconds / runs:F2} µs per run");
        Line("managed heap (no GC)", static r => r.Heap, points, ProcessProbe.MiB);
        Line("managed heap after full GC", static r => r.HeapAfterGc, points, static b => $"{b:N0} B");
        Line("GC committed", static r => r.GcCommitted, points, ProcessProbe.MiB);
        Line("RSS", static r => r.Rss, points, ProcessProbe.MiB);
        Line("native in use (tracker)", static r => r.NativeInUse, points, static b => $"{b:N0} B");
        Line("Python allocated blocks", static r => r.PythonBlocks, points, static b => $"{b:N0}");

        verdict.Require(failed == 0, $"every run succeeded ({failed:N0} failed)");
        verdict.Require(commits == runs + WarmUpRuns && metrics == commits * 10, $"every run reached the sender with its 10 metrics ({commits:N0} commits, {metrics:N0} metrics for {runs + WarmUpRuns:N0} runs)");
        Bound(verdict, "managed heap after full GC", start.HeapAfterGc, end.HeapAfterGc, 256 << 10, static b => $"{b:N0} B");
        Bound(verdict, "native memory in use (tracker)", start.NativeInUse, end.NativeInUse, 0, static b => $"{b:N0} B");
        verdict.Require(end.UntrackedFrees == 0, $"no untracked native frees ({end.UntrackedFrees})");
        Bound(verdict, "Python allocated blocks", start.PythonBlocks, end.PythonBlocks, StringCacheSlots + 1_000, static b => $"{b:N0}");
        long blocksFirst = firstHalf.Max(static r => r.PythonBlocks), blocksSecond = secondHalf.Count == 0 ? blocksFirst : secondHalf.Max(static r => r.PythonBlocks);
        verdict.Require(blocksSecond - blocksFirst <= 256, $"Python blocks have no trend: max over the second half {blocksSecond:N0} ≤ max over the first {blocksFirst:N0} + 256");
        Bound(verdict, "RSS", start.Rss, end.Rss, 48L << 20, ProcessProbe.MiB);
        long rssFirst = firstHalf.Max(static r => r.Rss), rssSecond = secondHalf.Count == 0 ? rssFirst : secondHalf.Max(static r => r.Rss);
        verdict.Require(rssSecond - rssFirst <= 8L << 20, $"RSS has no trend: max over the second half {ProcessProbe.MiB(rssSecond)} ≤ max over the first {ProcessProbe.MiB(rssFirst)} + 8 MiB");
        long heapFirst = firstHalf.Max(static r => r.HeapAfterGc), heapSecond = secondHalf.Count == 0 ? heapFirst : secondHalf.Max(static r => r.HeapAfterGc);
        verdict.Require(heapSecond - heapFirst <= 64 << 10, $"managed heap has no trend: max after GC over the second half {heapSecond:N0} B ≤ max over the first {heapFirst:N0} B + 64 KiB");
    }

    private static int RunOnce(ICheck check)
    {
        var result = check.RunAsync().GetAwaiter().GetResult();
        return result.Succeeded ? 0 : 1;
    }

    private static void Print(long runs, MemoryProbe.Reading r) =>
        Console.WriteLine($"  {runs,9:N0} {ProcessProbe.MiB(r.Heap),14} {r.HeapAfterGc,14:N0} {r.NativeInUse,15:N0} {r.PythonBlocks,15:N0} {ProcessProbe.MiB(r.Rss),12}   {ProcessProbe.LoadAverage()}");

    private static void Line(string what, Func<MemoryProbe.Reading, long> read, List<(long Runs, MemoryProbe.Reading Reading)> points, Func<long, string> format) =>
        Console.WriteLine($"  {what,-28} start {format(read(points[0].Reading))}, end {format(read(points[^1].Reading))}, max {format(points.Max(p => read(p.Reading)))}");

    private static void Bound(Verdict verdict, string what, long start, long end, long allowed, Func<long, string> format) =>
        verdict.Require(end - start <= allowed, $"{what} growth after warm-up ≤ {format(allowed)}: {format(start)} → {format(end)} ({(end - start >= 0 ? "+" : string.Empty)}{format(end - start)})");
}
