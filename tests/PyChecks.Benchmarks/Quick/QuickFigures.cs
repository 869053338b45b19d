using System.Diagnostics;
using System.Globalization;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// The quick mode's work inside one process, for the Python named by <c>PYCHECKS_PYTHON</c>: B0–B4 from the
/// benchmark classes themselves (their set-up, their methods), in one Python host, each case on a thread of its
/// own, rounds of the cases compared with each other interleaved so that they share the machine's moments.
/// Prints one line per figure (see <see cref="QuickMode"/>).
/// </summary>
internal static class QuickFigures
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(40);
    private const int Rounds = 11;

    // The pids of the host's live worker processes, whose CPU time counts with the host's.
    private static Func<IEnumerable<int>> s_workers = static () => [];

    /// <summary>Measures and prints; returns how many figures missed their target.</summary>
    /// <param name="only">The benchmarks to measure (<c>B0</c>…<c>B4</c>, <c>B3W</c>, <c>B4W</c>, <c>B8</c>), or null for all.</param>
    public static int Run(IReadOnlyCollection<string>? only)
    {
        bool Wanted(string id) => only is null || only.Contains(id, StringComparer.OrdinalIgnoreCase);

        var sender = new CountingSender();
        var b3 = new MetricSubmission();
        var b4 = new CheckRun();
        var (host, checks) = PythonHost.StartChecks([MetricSubmission.Module, b4.Module], sender, [], static o => o.WorkerProcesses.Count = PythonOnEveryCore.WorkerProcesses);
        using (host)
        {
            s_workers = () => WorkerProcessSubmission.WorkerPids(host);
            var version = host.Runtime.Version;
            string python = $"{version.Major}.{version.Minor}.{version.Micro}";
            b3.Attach(checks.Take(4).ToList(), sender);
            b4.Attach(host.Runtime, checks[4], sender);
            var b0 = new PythonFloor();
            b0.Prepare();
            var b1 = new HostToPythonCall();
            b1.Setup();
            var b2 = new GilScopeAndCall();
            b2.Setup();
            var b8 = new PythonOnEveryCore();
            if (Wanted("B8"))
            {
                // First of the Process-mode instances, so that the pool spreads them evenly.
                b8.Attach(PythonHost.LoadInto(host, PythonOnEveryCore.Module), sender);
            }

            var b3w = new WorkerProcessSubmission();
            if (Wanted("B3W"))
            {
                b3w.Attach(PythonHost.LoadInto(host, WorkerProcessSubmission.Module), sender);
            }

            var b4w = new WorkerProcessCheckRun();
            if (Wanted("B4W"))
            {
                b4w.Attach(PythonHost.LoadInto(host, WorkerProcessCheckRun.Module), sender);
            }

            var report = new QuickReport(python);

            // B0–B4 on the CPU where B0 runs fastest now; the worker-process figures and B8 on every CPU, as before.
            var pinning = CpuLevels.RunOnFastest(b0);
            Console.WriteLine(pinning.Line);
            Console.WriteLine($"# Python {python} from {host.Runtime.Location.LibraryPath}; load average {CpuReadings.LoadAverage()}; object layout read directly: {(Interop.CPython.ObjectLayoutVerified ? "yes" : "no")}; type version tags: {(Interop.CPython.TypeVersionTagsVerified ? "yes" : "no")}");

            using (pinning)
            {
                if (Wanted("B0"))
                {
                    report.Nanos("B0", "floor", Measure(QuickCase.Of(b0, nameof(PythonFloor.PythonLoop)))[0]);
                }

                if (Wanted("B1"))
                {
                    var b1Figures = Measure(QuickCase.Of(b1, nameof(HostToPythonCall.RawCApi)), QuickCase.Of(b1, nameof(HostToPythonCall.PyObjectCall)));
                    report.Ratio("B1", "call", b1Figures, 1, 0, target: 1.3);
                }

                if (Wanted("B2"))
                {
                    var b2Figures = Measure(
                        QuickCase.Of(b2, nameof(GilScopeAndCall.RawPersistentThreadState)),
                        QuickCase.Of(b2, nameof(GilScopeAndCall.PyChecksGilScope)),
                        QuickCase.Of(b2, nameof(GilScopeAndCall.GilStateEnsure)));
                    report.Ratio("B2", "gil_scope", b2Figures, 1, 0, target: 2.0);
                    if (version.Minor >= 11)
                    {
                        // The ≥ 50 × target is for Pythons that build a thread state per PyGILState_Ensure.
                        report.Speedup("B2", "gil_scope_vs_gilstate_ensure", b2Figures, 2, 1, target: 50);
                    }
                }

                if (Wanted("B3"))
                {
                    var b3Figures = Measure(
                        QuickCase.Of(b3, nameof(MetricSubmission.PythonFloor)),
                        QuickCase.Of(b3, nameof(MetricSubmission.SubmitMetric)),
                        QuickCase.Of(b3, nameof(MetricSubmission.Gauge)));
                    report.Ratio("B3", "submit_metric", b3Figures, 1, 0, target: 2.0);
                    report.Ratio("B3", "gauge", b3Figures, 2, 0, target: 2.5);
                }

                if (Wanted("B4"))
                {
                    var b4Figures = Measure(QuickCase.Of(b4, nameof(CheckRun.RunOnWorker)), QuickCase.Of(b4, nameof(CheckRun.RunFromHostThread)));
                    report.Micros("B4", "run_on_worker", b4Figures[0], target: 1.5);
                    report.Micros("B4", "run_from_host_thread", b4Figures[1], target: 5.0);
                }

                Console.WriteLine(CpuLevels.Again(pinning, b0));
            }

            if (Wanted("B3W"))
            {
                var b3wFigures = Measure(
                    QuickCase.Of(b3w, nameof(WorkerProcessSubmission.GaugeInProcess)),
                    QuickCase.Of(b3w, nameof(WorkerProcessSubmission.GaugeInWorker)),
                    QuickCase.Of(b3w, nameof(WorkerProcessSubmission.SubmitMetricInProcess)),
                    QuickCase.Of(b3w, nameof(WorkerProcessSubmission.SubmitMetricInWorker)));
                report.Ratio("B3", "gauge_in_worker", b3wFigures, 1, 0, target: 2.0);
                report.Ratio("B3", "submit_metric_in_worker", b3wFigures, 3, 2, target: 2.0);
            }

            if (Wanted("B4W"))
            {
                b4w.StartCat();
                var b4wFigures = Measure(
                    QuickCase.Of(b4w, nameof(WorkerProcessCheckRun.RunInProcess)),
                    QuickCase.Of(b4w, nameof(WorkerProcessCheckRun.RunInWorker)),
                    QuickCase.Of(b4w, nameof(WorkerProcessCheckRun.PipeRoundTripThroughCat)));
                b4w.StopCat();
                report.Micros("B4", "run_in_process_from_host_thread", b4wFigures[0], target: 5.0);
                report.Micros("B4", "run_in_worker_from_host_thread", b4wFigures[1], target: 10.0);
                report.Nanos("B4", "pipe_round_trip_through_cat", b4wFigures[2]);
            }

            if (Wanted("B8"))
            {
                var b8Figures = Measure(QuickCase.Of(b8, nameof(PythonOnEveryCore.InProcess)), QuickCase.Of(b8, nameof(PythonOnEveryCore.InWorkerProcesses)));
                report.Speedup("B8", "throughput_in_worker_processes", b8Figures, 0, 1, target: 1.8, format: "0.00");
            }

            Console.WriteLine(CpuLevels.Describe(b0));
            return report.Missed;
        }
    }

    /// <summary>
    /// Warms every case up, then times <see cref="Rounds"/> rounds of each, the cases taking turns; returns the
    /// median nanoseconds per operation of each case, in the order given, with the rounds kept for ratios.
    /// </summary>
    private static CaseFigures[] Measure(params QuickCase[] cases)
    {
        var threads = cases.Select(c => new CaseThread("quick " + c.Name)).ToArray();
        try
        {
            int[] invocationsPerRound = new int[cases.Length];
            for (int i = 0; i < cases.Length; i++)
            {
                var current = cases[i];
                invocationsPerRound[i] = threads[i].Run(() => Calibrate(current));
            }

            double[][] rounds = cases.Select(_ => new double[Rounds]).ToArray();
            double[][] cpuRounds = cases.Select(_ => new double[Rounds]).ToArray();
            for (int round = 0; round < Rounds; round++)
            {
                for (int i = 0; i < cases.Length; i++)
                {
                    var current = cases[i];
                    int invocations = invocationsPerRound[i];
                    (rounds[i][round], cpuRounds[i][round]) = threads[i].Run(() => Time(current, invocations));
                }
            }

            return rounds.Select((r, i) => new CaseFigures(r, cpuRounds[i])).ToArray();
        }
        finally
        {
            foreach (var thread in threads)
            {
                thread.Dispose();
            }
        }
    }

    /// <summary>Invokes the case for <see cref="WarmUp"/> (at least three times); returns the invocations that fill a round.</summary>
    private static int Calibrate(QuickCase current)
    {
        var clock = Stopwatch.StartNew();
        int invocations = 0;
        while (invocations < 3 || clock.Elapsed < WarmUp)
        {
            current.Invoke();
            invocations++;
        }

        double perInvocation = clock.Elapsed.TotalMilliseconds / invocations;
        return Math.Max(1, (int)Math.Round(Round.TotalMilliseconds / perInvocation));
    }

    /// <summary>
    /// Nanoseconds per operation over <paramref name="invocations"/> invocations: elapsed, and the CPU time of the process
    /// (every thread: the worker a case hands its work to as well) and of its worker processes, which a busy machine
    /// disturbs less.
    /// </summary>
    private static (double Elapsed, double Cpu) Time(QuickCase current, int invocations)
    {
        var cpuBefore = Cpu();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < invocations; i++)
        {
            current.Invoke();
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = Cpu() - cpuBefore;
        double operations = (double)invocations * current.OperationsPerInvoke;
        return (elapsed.TotalNanoseconds / operations, cpu.TotalNanoseconds / operations);
    }

    /// <summary>The CPU time of this process and of its worker processes.</summary>
    private static TimeSpan Cpu()
    {
        var total = CpuReadings.ThisProcess;
        foreach (int pid in s_workers())
        {
            total += CpuReadings.OfProcess(pid).Cpu;
        }

        return total;
    }

    /// <summary>The rounds of one case, in nanoseconds per operation: elapsed, and the process's CPU time.</summary>
    internal sealed class CaseFigures(double[] rounds, double[] cpuRounds)
    {
        /// <summary>The rounds, in the order they ran.</summary>
        public IReadOnlyList<double> Rounds { get; } = rounds;

        /// <summary>The process's CPU time per operation in each round.</summary>
        public IReadOnlyList<double> CpuRounds { get; } = cpuRounds;

        /// <summary>The median round of CPU time.</summary>
        public double CpuMedian => MedianOf(CpuRounds);

        /// <summary>The median round.</summary>
        public double Median => MedianOf(Rounds);

        /// <summary>The median, as a figure line shows it.</summary>
        public override string ToString() => Median.ToString("0.0", CultureInfo.InvariantCulture);

        /// <summary>The median of <paramref name="values"/>.</summary>
        public static double MedianOf(IEnumerable<double> values)
        {
            double[] sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }
}
