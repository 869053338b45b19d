using System.Diagnostics;

namespace PyChecks.Soak;

/// <summary>
/// <c>gil</c>: 64 threads each enter 100,000 GIL scopes through <see cref="PythonRuntime.AcquireGil"/>, doing a tiny
/// Python call inside (a Python <c>int</c> made and released) between reading and writing a shared counter that only
/// the GIL protects; every 1,000th scope nests a second one. Meanwhile, and until at least 2,000 have run, threads
/// that enter one scope and exit come and go (thread churn: their thread states must be reclaimed).
/// </summary>
/// <remarks>
/// Requirements: everything ends before the deadline (no deadlock: a thread stuck in a scope shows as a thread that
/// stopped making progress, and the scenario fails with the per-thread counts); the counter equals the number of
/// scopes (no lost update: the GIL excluded every other scope); thread states of ended threads are reclaimed; native
/// memory in use is back where it started and RSS grew by less than 64 MiB.
/// </remarks>
internal static class GilScenario
{
    private const int Threads = 64;
    private const int NestEvery = 1_000;
    private const int ChurnBatch = 16;
    private const int MinChurn = 2_000;

    private static long s_counter;

    public static void Run(SoakArguments arguments, Verdict verdict)
    {
        int scopes = (int)(arguments.Scale ?? 100_000);
        var deadline = TimeSpan.FromMinutes(10);
        using var folder = new SoakFolder("gil");
        using var host = CheckHost.Start(folder.Options(arguments));
        var runtime = host.Runtime;
        var version = runtime.Version;
        Console.WriteLine($"Python {version.Major}.{version.Minor}.{version.Micro} from {runtime.Location.LibraryPath}");
        Console.WriteLine($"{Threads} threads × {scopes:N0} GIL scopes (a Python int made and released inside; every {NestEvery:N0}th scope nests another), with thread churn alongside (batches of {ChurnBatch} threads entering one scope each); deadline {deadline:g}");

        using var memory = new MemoryProbe(runtime);
        Churn(runtime, ChurnBatch); // the first thread states and the tracker's own thread exist before the start reading
        var start = memory.Read();
        Volatile.Write(ref s_counter, 0);
        long liveStart = PythonRuntime.LiveThreadStates;
        int threadsStart = ProcessProbe.Threads();

        long[] progress = new long[Threads];
        long nestingErrors = 0;
        var failures = new List<Exception>();
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            go.Wait();
            try
            {
                for (int i = 0; i < scopes; i++)
                {
                    using (runtime.AcquireGil())
                    {
                        long value = s_counter; // a plain read and write: only the GIL keeps other scopes out in between
                        using (var number = PyObject.From(value + 1_000_000))
                        {
                            if (i % NestEvery == 0)
                            {
                                using var inner = runtime.AcquireGil();
                                if (inner.Depth != 2)
                                {
                                    Interlocked.Increment(ref nestingErrors);
                                }
                            }
                        }

                        s_counter = value + 1;
                    }

                    Volatile.Write(ref progress[t], i + 1);
                }
            }
#pragma warning disable CA1031 // Any failure is a result: reported, and the scenario fails.
            catch (Exception e)
#pragma warning restore CA1031
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            }
        })
        {
            IsBackground = true,
            Name = $"gil soak {t}",
        }).ToList();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        long churned = 0;
        long rssMax = ProcessProbe.Rss();
        var clock = Stopwatch.StartNew();
        go.Set();
        var lastReport = TimeSpan.Zero;
        TimeSpan? workersDone = null;
        while ((workers.Exists(static w => w.IsAlive) || churned < MinChurn) && clock.Elapsed < deadline)
        {
            churned += Churn(runtime, ChurnBatch);
            if (workersDone is null && !workers.Exists(static w => w.IsAlive))
            {
                workersDone = clock.Elapsed;
            }

            rssMax = Math.Max(rssMax, ProcessProbe.Rss());
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                long done = progress.Sum();
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:F0} s: {done:N0} scopes ({done / clock.Elapsed.TotalSeconds:N0}/s), {churned:N0} churn threads, live thread states {PythonRuntime.LiveThreadStates}, RSS {ProcessProbe.MiB(ProcessProbe.Rss())}, load {ProcessProbe.LoadAverage()}");
            }

            Thread.Sleep(1);
        }

        clock.Stop();
        bool finished = !workers.Exists(static w => w.IsAlive);
        long total = progress.Sum();
        var elapsed = workersDone ?? clock.Elapsed;
        Console.WriteLine();
        Console.WriteLine($"{total:N0} scopes by {Threads} threads in {elapsed.TotalSeconds:F1} s: {total / elapsed.TotalSeconds:N0} scopes/s ({elapsed.TotalNanoseconds / Math.Max(1, total):F0} ns per scope); {churned:N0} churn threads in {clock.Elapsed.TotalSeconds:F1} s, each one scope then exit");
        if (!finished)
        {
            Console.WriteLine("  threads still running at the deadline (scopes done): " + string.Join(", ", progress.Select(static (p, i) => (p, i)).Where(x => workers[x.i].IsAlive).Select(static x => $"#{x.i}: {x.p:N0}")));
            Console.Out.Flush();
        }

        verdict.Require(finished, $"every thread finished its scopes within {deadline:g} (no deadlock): {workers.Count(static w => !w.IsAlive)} of {Threads} finished");
        verdict.Require(failures.Count == 0, $"no scope threw ({failures.Count}{(failures.Count > 0 ? ": " + failures[0].Message : string.Empty)})");
        long expected = (long)Threads * scopes + churned;
        long counter = Volatile.Read(ref s_counter);
        verdict.Require(counter == expected, $"no lost update: counter {counter:N0} = {Threads} × {scopes:N0} + {churned:N0} churn scopes = {expected:N0} (lost {expected - counter:N0})");
        verdict.Require(Interlocked.Read(ref nestingErrors) == 0, $"every nested scope had depth 2 ({nestingErrors} did not)");
        if (!finished)
        {
            return;
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        // Thread states of ended threads are deleted under the GIL, by the next scope that runs.
        workers.Clear();
        using (runtime.AcquireGil())
        {
        }

        var end = memory.Read();
        long liveEnd = PythonRuntime.LiveThreadStates;
        int threadsEnd = ProcessProbe.Threads();
        rssMax = Math.Max(rssMax, end.Rss);
        Console.WriteLine($"live thread states start / end: {liveStart} / {liveEnd}; OS threads start / end: {threadsStart} / {threadsEnd}");
        Console.WriteLine($"native in use (tracker) start / end: {start.NativeInUse:N0} / {end.NativeInUse:N0} B; Python blocks {start.PythonBlocks:N0} / {end.PythonBlocks:N0}");
        Console.WriteLine($"RSS start / end / max: {ProcessProbe.MiB(start.Rss)} / {ProcessProbe.MiB(end.Rss)} / {ProcessProbe.MiB(rssMax)}; managed heap after GC start / end: {start.HeapAfterGc:N0} / {end.HeapAfterGc:N0} B");
        verdict.Require(liveEnd <= liveStart + 2, $"thread states of ended threads were reclaimed: {liveEnd} live at the end, {liveStart} at the start (+2 allowed for threads the runtime keeps)");
        verdict.Require(end.NativeInUse <= start.NativeInUse, $"native memory in use (tracker) did not grow: {start.NativeInUse:N0} → {end.NativeInUse:N0} B");
        verdict.Require(end.UntrackedFrees == 0, $"no untracked native frees ({end.UntrackedFrees})");
        verdict.Require(end.PythonBlocks - start.PythonBlocks <= 1_000, $"Python allocated blocks grew by ≤ 1,000: {start.PythonBlocks:N0} → {end.PythonBlocks:N0}");
        verdict.Require(end.Rss - start.Rss <= 64L << 20, $"RSS grew by ≤ 64 MiB: {ProcessProbe.MiB(start.Rss)} → {ProcessProbe.MiB(end.Rss)} (max {ProcessProbe.MiB(rssMax)})");
    }

    /// <summary>Starts <paramref name="count"/> threads that each enter one scope (the counter's, too) and end; waits for them.</summary>
    private static int Churn(PythonRuntime runtime, int count)
    {
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            threads[i] = new Thread(() =>
            {
                using (runtime.AcquireGil())
                {
                    long value = s_counter;
                    using (PyObject.From(value))
                    {
                    }

                    s_counter = value + 1;
                }
            })
            {
                IsBackground = true,
                Name = "gil churn",
            };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return count;
    }
}
