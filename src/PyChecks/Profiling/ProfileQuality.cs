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
    /// <summary>Stacks recorded (one per profiled run per tick).</summary>
    public required long Samples { get; init; }

    /// <summary>Samples deeper than the task's max depth (their outermost frames are dropped).</summary>
    public required long TruncatedSamples { get; init; }

    /// <summary>Run time covered by the samples: the sum of their weights.</summary>
    public required TimeSpan SampledTime { get; init; }

    /// <summary>The rate the task asked for: one over its interval.</summary>
    public required double RequestedHz { get; init; }

    /// <summary>Samples per second of <see cref="SampledTime"/>; 0 without samples.</summary>
    public required double AchievedHz { get; init; }

    /// <summary>Median wait for the GIL per tick.</summary>
    public required TimeSpan GilWaitP50 { get; init; }

    /// <summary>99th percentile of the wait for the GIL per tick.</summary>
    public required TimeSpan GilWaitP99 { get; init; }

    /// <summary>Median time the GIL was held per tick.</summary>
    public required TimeSpan HoldP50 { get; init; }

    /// <summary>99th percentile of the time the GIL was held per tick.</summary>
    public required TimeSpan HoldP99 { get; init; }
}
