using System.Diagnostics;
using System.Globalization;
using PyChecks.Checks.Configuration;
using PyChecks.Interop;
using PyChecks.Memory;

namespace PyChecks.Benchmarks;

/// <summary>
/// B7, memory per check: managed + native bytes per loaded check instance, and growth over many runs of one
/// instance. Not a BenchmarkDotNet class (it measures sizes, not times, and one run of it takes minutes):
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- b7 [instances] [runs] [samples]</c>
/// (defaults 1,000 instances, 1,000,000 runs, 20 samples).
/// </summary>
/// <remarks>
/// <para>
/// The check is small: <c>check()</c> submits one gauge with two tags; instances differ by one tag each. After a
/// warm-up instance (module imported, caches filled), tracemalloc starts and N instances are loaded and run once.
/// Per instance: the managed heap after full collections, the tracked native allocator's bytes in use, and the
/// Python bytes tracemalloc traced, each as (after − before) / N; the process's resident set size likewise, for
/// reference (it includes allocator slack and tracemalloc's own traces).
/// </para>
/// <para>
/// Growth: tracemalloc stopped, one instance is run <c>runs</c> times through <see cref="ICheck.RunAsync"/>; at
/// each sample point the managed heap (after full collections), native bytes in use, Python's allocated blocks,
/// the RSS and the GC's committed bytes are read. Reported: the first sample (after a 10,000-run warm-up), the last, and the maximum.
/// </para>
/// </remarks>
internal static class MemoryPerCheck
{
    private const string Check = """
        from datadog_checks.base import AgentCheck

        class SmallCheck(AgentCheck):
            def check(self, instance):
                self.gauge('small.value', 1.5, tags=['env:prod', 'host:a'])
        """;

    public static int Run(string[] args)
    {
        int instances = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        int samples = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;

        string root = Path.Combine(Path.GetTempPath(), "pychecks-b7-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string checksD = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        File.WriteAllText(Path.Combine(checksD, "small.py"), Check);
        try
        {
            var options = new PyChecksOptions { ChecksDirectory = checksD, PersistentCacheDirectory = Path.Combine(root, "cache") };
            options.Python.Python = Environment.GetEnvironmentVariable(PythonHost.Variable) is { Length: > 0 } requested ? requested : PythonHost.ReferenceLibrary;
            using var host = CheckHost.Start(options);
            Console.WriteLine($"B7 — Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath}; .NET {Environment.Version}; {Environment.ProcessorCount} cores");
            PerInstance(host, instances);
            Growth(host, runs, samples);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void PerInstance(CheckHost host, int count)
    {
        var warmUp = Load(host, "warm-up");
        Run(warmUp);

        var before = Measure(host);
        SetTracing(host, on: true);
        var checks = new List<ICheck>(count);
        for (int i = 0; i < count; i++)
        {
            checks.Add(Load(host, i.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var check in checks)
        {
            Run(check);
        }

        var after = Measure(host);
        SetTracing(host, on: false);
        double managed = (after.Managed - before.Managed) / (double)count;
        double native = (after.Native - before.Native) / (double)count;
        double python = after.Traced / (double)count;
        double blocks = (after.Blocks - before.Blocks) / (double)count;
        double rss = (after.Rss - before.Rss) / (double)count;
        Console.WriteLine();
        Console.WriteLine($"Per loaded instance ({count:N0} instances, each run once):");
        Console.WriteLine($"  managed heap        {managed,10:N0} B");
        Console.WriteLine($"  native (tracked)    {native,10:N0} B");
        Console.WriteLine($"  Python (traced)     {python,10:N0} B   ({blocks:N0} allocated blocks)");
        Console.WriteLine($"  total               {managed + native + python,10:N0} B   ({(managed + native + python) / 1024:N1} KiB; target ≤ 64 KiB)");
        Console.WriteLine($"  RSS, for reference  {rss,10:N0} B");

        foreach (var check in checks)
        {
            check.Dispose();
        }

        checks.Clear();
        var released = Measure(host);
        Console.WriteLine($"  after disposing them: managed {released.Managed - before.Managed:+#,0;-#,0;0} B, native {released.Native - before.Native:+#,0;-#,0;0} B, Python blocks {released.Blocks - before.Blocks:+#,0;-#,0;0} (all instances together)");
        warmUp.Dispose();
    }

    private static void Growth(CheckHost host, int runs, int samples)
    {
        var check = Load(host, "growth");
        for (int i = 0; i < 10_000; i++)
        {
            Run(check);
        }

        int every = Math.Max(1, runs / samples);
        var points = new List<(int Runs, Reading Reading)> { (0, Measure(host)) };
        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= runs; i++)
        {
            Run(check);
            if (i % every == 0 || i == runs)
            {
                points.Add((i, Measure(host)));
            }
        }

        clock.Stop();
        Console.WriteLine();
        Console.WriteLine($"Growth over {runs:N0} runs of one instance ({clock.Elapsed.TotalSeconds:N1} s, {clock.Elapsed.TotalMicroseconds / runs:N1} µs per run incl. sampling):");
        Console.WriteLine("  runs        managed B    native B   Python blocks      RSS KiB  GC committed KiB");
        foreach (var (n, r) in points)
        {
            Console.WriteLine($"  {n,9:N0} {r.Managed,12:N0} {r.Native,11:N0} {r.Blocks,15:N0} {r.Rss / 1024,12:N0} {r.Committed / 1024,17:N0}");
        }

        var first = points[0].Reading;
        var last = points[^1].Reading;
        Console.WriteLine($"  start/end/max managed: {first.Managed:N0} / {last.Managed:N0} / {points.Max(p => p.Reading.Managed):N0} B");
        Console.WriteLine($"  start/end/max native:  {first.Native:N0} / {last.Native:N0} / {points.Max(p => p.Reading.Native):N0} B");
        Console.WriteLine($"  start/end/max blocks:  {first.Blocks:N0} / {last.Blocks:N0} / {points.Max(p => p.Reading.Blocks):N0}");
        Console.WriteLine($"  start/end/max RSS:     {first.Rss / 1024:N0} / {last.Rss / 1024:N0} / {points.Max(p => p.Reading.Rss) / 1024:N0} KiB");
        Console.WriteLine($"  start/end/max GC committed: {first.Committed / 1024:N0} / {last.Committed / 1024:N0} / {points.Max(p => p.Reading.Committed) / 1024:N0} KiB");
        check.Dispose();
    }

    private static ICheck Load(CheckHost host, string tag) =>
        host.Load(CheckConfigReader.Resolve(new CheckConfig
        {
            Name = "small",
            Instances = [new Dictionary<string, object?> { ["tags"] = new List<object?> { "instance:" + tag } }],
        }).Single());

    private static void Run(ICheck check)
    {
        var result = check.RunAsync().GetAwaiter().GetResult();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{check.Id} failed: {result.Error}\n{result.Traceback}");
        }
    }

    private static void SetTracing(CheckHost host, bool on)
    {
        using (host.Runtime.AcquireGil())
        {
            using var tracemalloc = PyObject.Import("tracemalloc");
            tracemalloc.CallMethod(on ? "start" : "stop").Dispose();
        }
    }

    private static Reading Measure(CheckHost host)
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        long managed = GC.GetTotalMemory(forceFullCollection: true);
        using (host.Runtime.AcquireGil())
        {
            // References released without the GIL (disposed off a Python thread, or finalized) are dropped when a scope ends.
        }

        PythonHeapReading python;
        using (host.Runtime.AcquireGil())
        {
            using (var gc = PyObject.Import("gc"))
            {
                gc.CallMethod("collect").Dispose();
            }

            python = PythonHeap.Read(DateTimeOffset.UtcNow);
        }

        using var process = Process.GetCurrentProcess();
        return new Reading(managed, TrackedAllocator.InUseBytes, python.AllocatedBlocks, python.TracedBytes ?? 0, process.WorkingSet64, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    private readonly record struct Reading(long Managed, long Native, long Blocks, long Traced, long Rss, long Committed);
}
