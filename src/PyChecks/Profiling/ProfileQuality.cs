namespace PyChecks;

/// <summary>
/// How well a task sampled: how many samples it took against what it asked for, and what sampling cost. GIL waits
/// are the sampler's waits for the check (or other Python code) to release the GIL; hold times are how long each
/// sample kept it.
/// </summary>
/// <param name="Samples">Stacks recorded (one per profiled run per tick).</param>
/// <param name="TruncatedSamples">Samples deeper than the task's max depth (their outermost frames are dropped).</param>
/// <param name="SampledTime">Run time covered by the samples: the sum of their weights.</param>
/// <param name="RequestedHz">The rate the task asked for: one over its interval.</param>
/// <param name="AchievedHz">Samples per second of <paramref name="SampledTime"/>; 0 without samples.</param>
/// <param name="GilWaitP50">Median wait for the GIL per tick.</param>
/// <param name="GilWaitP99">99th percentile of the wait for the GIL per tick.</param>
/// <param name="HoldP50">Median time the GIL was held per tick.</param>
/// <param name="HoldP99">99th percentile of the time the GIL was held per tick.</param>
public sealed record ProfileQuality(
    long Samples,
    long TruncatedSamples,
    TimeSpan SampledTime,
    double RequestedHz,
    double AchievedHz,
    TimeSpan GilWaitP50,
    TimeSpan GilWaitP99,
    TimeSpan HoldP50,
    TimeSpan HoldP99);
