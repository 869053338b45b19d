namespace PyChecks.Profiling;

/// <summary>
/// Durations (in <see cref="System.Diagnostics.Stopwatch"/> ticks) kept for percentiles: all of them up to a capacity,
/// then a uniform random subset (reservoir sampling), so memory stays bounded however long a task runs.
/// </summary>
internal sealed class DurationReservoir
{
    private const int Capacity = 4096;
    private readonly long[] _values = new long[Capacity];
    private long _seen;

    /// <summary>Adds a duration.</summary>
    public void Add(long ticks)
    {
        long seen = _seen++;
        if (seen < Capacity)
        {
            _values[seen] = ticks;
            return;
        }

        long slot = Random.Shared.NextInt64(seen + 1);
        if (slot < Capacity)
        {
            _values[slot] = ticks;
        }
    }

    /// <summary>The <paramref name="percentile"/>th percentile (nearest rank); zero when empty.</summary>
    public TimeSpan Percentile(double percentile)
    {
        int count = (int)Math.Min(_seen, Capacity);
        if (count == 0)
        {
            return TimeSpan.Zero;
        }

        long[] sorted = _values.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        int rank = Math.Clamp((int)Math.Ceiling(percentile / 100 * count) - 1, 0, count - 1);
        return System.Diagnostics.Stopwatch.GetElapsedTime(0, sorted[rank]);
    }
}
