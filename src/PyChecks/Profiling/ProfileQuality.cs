using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// How well a task sampled: how many samples it took against what it asked for, and what sampling cost. GIL waits
/// are the sampler's waits for the check (or other Python code) to release the GIL; hold times are how long each
/// sample kept it.
/// </summary>
[Experimental("PYCHECKS001")]
public sealed record ProfileQuality
{
    // Only PyChecks creates these; hosts read them.
    internal ProfileQuality()
    {
    }

    /// <summary>Stacks recorded (one per profiled run per tick).</summary>
    public long Samples { get; internal init; }

    /// <summary>Samples deeper than the task's max depth (their outermost frames are dropped).</summary>
    public long TruncatedSamples { get; internal init; }

    /// <summary>Run time covered by the samples: the sum of their weights.</summary>
    public TimeSpan SampledTime { get; internal init; }

    /// <summary>The rate the task asked for: one over its interval.</summary>
    public double RequestedHz { get; internal init; }

    /// <summary>Samples per second of <see cref="SampledTime"/>; 0 without samples.</summary>
    public double AchievedHz { get; internal init; }

    /// <summary>Median wait for the GIL per tick (zero for a tick that read the stacks without the GIL, on CPython 3.12 and 3.13).</summary>
    public TimeSpan GilWaitP50 { get; internal init; }

    /// <summary>99th percentile of the wait for the GIL per tick.</summary>
    public TimeSpan GilWaitP99 { get; internal init; }

    /// <summary>Median time the GIL was held per tick (zero for a tick that read the stacks without the GIL).</summary>
    public TimeSpan HoldP50 { get; internal init; }

    /// <summary>99th percentile of the time the GIL was held per tick.</summary>
    public TimeSpan HoldP99 { get; internal init; }
}
