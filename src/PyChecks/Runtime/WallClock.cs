using System.Diagnostics;

namespace PyChecks.Runtime;

/// <summary>
/// The wall-clock time of a <see cref="Stopwatch"/> timestamp without reading the wall clock each time: each thread pairs
/// the two clocks, and pairs them again when its pair is more than a second old. A clock read costs tens of nanoseconds
/// on a virtual machine; a check run reads the monotonic clock anyway.
/// </summary>
internal static class WallClock
{
    private static readonly double TicksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    [ThreadStatic]
    private static long t_pairedTimestamp;

    [ThreadStatic]
    private static long t_pairedUtcTicks;

    /// <summary>The UTC time at <paramref name="timestamp"/>, a <see cref="Stopwatch.GetTimestamp"/> reading of this moment or the last second.</summary>
    public static DateTimeOffset At(long timestamp)
    {
        long since = timestamp - t_pairedTimestamp;
        if (t_pairedUtcTicks == 0 || since < 0 || since > Stopwatch.Frequency)
        {
            t_pairedUtcTicks = DateTime.UtcNow.Ticks;
            t_pairedTimestamp = Stopwatch.GetTimestamp();
            since = timestamp - t_pairedTimestamp;
        }

        return new DateTimeOffset(t_pairedUtcTicks + (long)(since * TicksPerTimestamp), TimeSpan.Zero);
    }
}
