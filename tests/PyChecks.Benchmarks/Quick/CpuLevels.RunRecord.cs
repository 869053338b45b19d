using System.Diagnostics;
using System.Globalization;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// The run's record of B0's fastest reading: a BenchmarkDotNet run starts one process per case, and a case whose every
/// CPU reads B0 well above the fastest reading of the run's earlier cases begins on the slow level of every CPU at
/// once. Such a case waits for a CPU at the usual level before it is measured (docs/performance.md, "Which CPU a case
/// runs on").
/// </summary>
internal static partial class CpuLevels
{
    /// <summary>
    /// The environment variable naming the file in which a run's case processes keep B0's fastest reading. The
    /// BenchmarkDotNet parent sets it (<see cref="StartRunRecord"/>) and its case processes inherit it; set beforehand,
    /// it keeps one record across several runs.
    /// </summary>
    public const string RecordVariable = "PYCHECKS_BENCH_LEVELS";

    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(2);

    /// <summary>
    /// For the BenchmarkDotNet parent process: names a fresh record file for its cases, unless <see cref="RecordVariable"/>
    /// is set already. Returns the file to delete when the run ends, or null.
    /// </summary>
    public static string? StartRunRecord()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RecordVariable)))
        {
            return null;
        }

        string path = Path.Combine(Path.GetTempPath(), $"pychecks-bench-levels-{Environment.ProcessId}.txt");
        File.Delete(path);
        Environment.SetEnvironmentVariable(RecordVariable, path);
        return path;
    }

    /// <summary>
    /// When the run keeps a record (<see cref="RecordVariable"/>) and no CPU reads B0 within <see cref="SlowerBy"/> of its
    /// fastest reading, times B0 on each CPU again every <see cref="ReadEvery"/> until one does, for at most
    /// <see cref="MaxWait"/>; then keeps the fastest reading in the record. Returns the readings to choose from, and in
    /// <paramref name="note"/> what was waited for (empty when nothing was).
    /// </summary>
    private static SortedDictionary<int, double> AwaitUsualLevel(PythonFloor floor, SortedDictionary<int, double> times, out string note)
    {
        note = string.Empty;
        string? path = Environment.GetEnvironmentVariable(RecordVariable);
        if (string.IsNullOrEmpty(path))
        {
            return times;
        }

        double best = ReadRecord(path);
        var waited = Stopwatch.StartNew();
        bool waiting = false;
        while (times.Values.Min() > best * SlowerBy && waited.Elapsed < MaxWait)
        {
            waiting = true;
            Thread.Sleep(ReadEvery);
            times = Measure(floor, out _) ?? times;
        }

        double fastest = times.Values.Min();
        if (waiting)
        {
            note = fastest <= best * SlowerBy
                ? string.Create(CultureInfo.InvariantCulture, $"; waited {waited.Elapsed.TotalSeconds:F0} s for a CPU within {SlowerBy:F2} × the run's fastest B0 ({best:F1}ns)")
                : string.Create(CultureInfo.InvariantCulture, $"; no CPU came within {SlowerBy:F2} × the run's fastest B0 ({best:F1}ns) in {MaxWait.TotalSeconds:F0} s: measured on the slow level");
        }

        if (fastest < best)
        {
            File.WriteAllText(path, fastest.ToString("R", CultureInfo.InvariantCulture));
        }

        return times;
    }

    private static double ReadRecord(string path) =>
        File.Exists(path) && double.TryParse(File.ReadAllText(path), NumberStyles.Float, CultureInfo.InvariantCulture, out double best) && best > 0
            ? best
            : double.MaxValue;
}
