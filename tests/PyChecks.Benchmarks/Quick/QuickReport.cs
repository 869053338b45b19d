using System.Globalization;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// Prints the quick mode's figure lines for one Python, in the stable form
/// <c>{id} {figure} {python} {value} [target={t} met|missed] [details]</c>, and counts the targets missed. The details
/// add the CPU time the process spent per operation (<c>cpu_…</c>): a check of the elapsed figures on a busy machine.
/// </summary>
/// <param name="python">The Python's version, <c>3.11.2</c>.</param>
internal sealed class QuickReport(string python)
{
    /// <summary>Figures that missed their target.</summary>
    public int Missed { get; private set; }

    /// <summary>A figure without a target, in nanoseconds per operation.</summary>
    public void Nanos(string id, string figure, QuickFigures.CaseFigures measured) =>
        Console.WriteLine($"{id} {figure} {python} ns={F(measured.Median, "0.0")} cpu_ns={F(measured.CpuMedian, "0.0")}");

    /// <summary>A time per operation in microseconds against a ceiling.</summary>
    public void Micros(string id, string figure, QuickFigures.CaseFigures measured, double target)
    {
        double micros = measured.Median / 1000;
        Line(id, figure, $"us={F(micros, "0.00")} target={F(target, "0.00")}", micros <= target, $"cpu_us={F(measured.CpuMedian / 1000, "0.00")}");
    }

    /// <summary>Case <paramref name="candidate"/> over case <paramref name="baseline"/> (median of the per-round ratios) against a ceiling.</summary>
    public void Ratio(string id, string figure, QuickFigures.CaseFigures[] measured, int candidate, int baseline, double target)
    {
        double ratio = RoundRatio(measured[candidate], measured[baseline]);
        double cpuRatio = QuickFigures.CaseFigures.MedianOf(measured[candidate].CpuRounds.Zip(measured[baseline].CpuRounds, (n, d) => n / d));
        Line(id, figure, $"ratio={F(ratio, "0.00")} target={F(target, "0.00")}", ratio <= target, $"ns={measured[candidate]} baseline_ns={measured[baseline]} cpu_ratio={F(cpuRatio, "0.00")}");
    }

    /// <summary>Case <paramref name="slow"/> over case <paramref name="fast"/> against a floor, shown in <paramref name="format"/>.</summary>
    public void Speedup(string id, string figure, QuickFigures.CaseFigures[] measured, int slow, int fast, double target, string format = "0")
    {
        double speedup = RoundRatio(measured[slow], measured[fast]);
        Line(id, figure, $"speedup={F(speedup, format)} target={F(target, format)}", speedup >= target, $"ns={measured[fast]} baseline_ns={measured[slow]}");
    }

    private void Line(string id, string figure, string value, bool met, string details)
    {
        if (!met)
        {
            Missed++;
        }

        Console.WriteLine($"{id} {figure} {python} {value} {(met ? "met" : "missed")}{(details.Length > 0 ? " " + details : string.Empty)}");
    }

    private static double RoundRatio(QuickFigures.CaseFigures numerator, QuickFigures.CaseFigures denominator) =>
        QuickFigures.CaseFigures.MedianOf(numerator.Rounds.Zip(denominator.Rounds, (n, d) => n / d));

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
