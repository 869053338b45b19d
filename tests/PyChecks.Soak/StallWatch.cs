using System.Diagnostics;
using System.Globalization;

namespace PyChecks.Soak;

/// <summary>
/// Tells a stalled process from a slow scheduler: a thread of its own sleeps 5 ms at a time and records by how much
/// it overslept. When this thread, which shares nothing with PyChecks, sees a gap of a second, the whole process
/// (or the machine) stood still then; the GC's pause time and the CPU time stolen from this virtual machine
/// (<c>/proc/stat</c>) say which.
/// </summary>
internal sealed class StallWatch : IDisposable
{
    private const int ClockTicksPerSecond = 100; // USER_HZ, the unit of /proc/stat
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private readonly Thread _thread;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, TimeSpan Gap)> _stalls = [];
    private readonly TimeSpan _pauseStart = GC.GetTotalPauseDuration();
    private readonly int _gen2Start = GC.CollectionCount(2);
    private readonly long _stealStart = StolenTicks();
    private volatile bool _stopped;
    private long _maxGapTicks;

    public StallWatch()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "soak stall watch", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>The longest time the watch thread stood still beyond its sleep.</summary>
    public TimeSpan MaxGap => TimeSpan.FromTicks(Interlocked.Read(ref _maxGapTicks));

    /// <summary>Gaps over 250 ms: when (since the watch started) and how long.</summary>
    public IReadOnlyList<(TimeSpan At, TimeSpan Gap)> Stalls
    {
        get
        {
            lock (_stalls)
            {
                return [.. _stalls];
            }
        }
    }

    public string Describe()
    {
        var stalls = Stalls;
        string list = stalls.Count == 0 ? "none" : string.Join(", ", stalls.Take(10).Select(static s => $"{s.Gap.TotalSeconds:F2} s at +{s.At.TotalSeconds:F0} s"));
        long steal = StolenTicks() - _stealStart;
        string stolen = steal < 0 ? "n/a" : $"{steal / (double)ClockTicksPerSecond:F1} s";
        return $"longest stand-still of a 5 ms sleeper thread {LatencyHistogram.Format(MaxGap)}; gaps over 250 ms: {list}; GC pauses {(GC.GetTotalPauseDuration() - _pauseStart).TotalSeconds:F2} s in all ({GC.CollectionCount(2) - _gen2Start} gen2); CPU stolen from this VM {stolen}";
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }

    /// <summary>The machine's <c>steal</c> time from <c>/proc/stat</c>, in clock ticks; −1 when unknown.</summary>
    private static long StolenTicks()
    {
        try
        {
            string? cpu = File.ReadLines("/proc/stat").FirstOrDefault(static l => l.StartsWith("cpu ", StringComparison.Ordinal));
            string[] fields = cpu?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            return fields.Length > 8 ? long.Parse(fields[8], CultureInfo.InvariantCulture) : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private void Watch()
    {
        var last = _clock.Elapsed;
        while (!_stopped)
        {
            Thread.Sleep(Tick);
            var now = _clock.Elapsed;
            var gap = now - last - Tick;
            last = now;
            if (gap.Ticks > Interlocked.Read(ref _maxGapTicks))
            {
                Interlocked.Exchange(ref _maxGapTicks, gap.Ticks);
            }

            if (gap > TimeSpan.FromMilliseconds(250))
            {
                lock (_stalls)
                {
                    _stalls.Add((now - gap, gap));
                }
            }
        }
    }
}
