namespace PyChecks.Soak;

/// <summary>
/// Durations counted in buckets of three significant digits of microseconds (1 % precision, 0 µs to ~27 hours), so
/// millions of measurements take a fixed 80 KB; safe to record from any thread.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Linear = 1000;
    private readonly long[] _buckets = new long[Linear + (900 * 12)];
    private long _count;
    private long _maxMicroseconds;

    public long Count => Interlocked.Read(ref _count);

    public TimeSpan Max => TimeSpan.FromMicroseconds(Interlocked.Read(ref _maxMicroseconds));

    public void Record(TimeSpan duration) => RecordMicroseconds((long)Math.Max(0, duration.TotalMicroseconds));

    public void RecordMicroseconds(long microseconds)
    {
        microseconds = Math.Max(0, microseconds);
        int index = Math.Min(Index(microseconds), _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Increment(ref _count);
        long max;
        while (microseconds > (max = Interlocked.Read(ref _maxMicroseconds)) && Interlocked.CompareExchange(ref _maxMicroseconds, microseconds, max) != max)
        {
        }
    }

    /// <summary>The duration below which a fraction <paramref name="quantile"/> of the measurements fall (bucket midpoint).</summary>
    public TimeSpan Percentile(double quantile)
    {
        long count = Count;
        if (count == 0)
        {
            return TimeSpan.Zero;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * count));
        long seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return TimeSpan.FromMicroseconds(Math.Min(Midpoint(i), Interlocked.Read(ref _maxMicroseconds)));
            }
        }

        return Max;
    }

    public string Describe() =>
        $"p50 {Format(Percentile(0.50))}, p99 {Format(Percentile(0.99))}, max {Format(Max)} ({Count:N0} measured)";

    public static string Format(TimeSpan span) => span.TotalMilliseconds switch
    {
        < 1 => $"{span.TotalMicroseconds:F0} µs",
        < 1000 => $"{span.TotalMilliseconds:F2} ms",
        _ => $"{span.TotalSeconds:F2} s",
    };

    private static int Index(long microseconds)
    {
        if (microseconds < Linear)
        {
            return (int)microseconds;
        }

        int exponent = 0;
        while (microseconds >= Linear)
        {
            microseconds /= 10;
            exponent++;
        }

        return Linear + ((exponent - 1) * 900) + (int)(microseconds - 100);
    }

    private static double Midpoint(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        int exponent = ((index - Linear) / 900) + 1;
        double mantissa = ((index - Linear) % 900) + 100.5;
        return mantissa * Math.Pow(10, exponent);
    }
}
