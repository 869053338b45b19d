namespace PyChecks.Profiling;

/// <summary>One recorded stack sample of one run: which stack was seen when, and the run time it stands for.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Sequence">The sample's number within the run, from 0.</param>
/// <param name="OffsetTicks">When the stack was seen, in <see cref="System.Diagnostics.Stopwatch"/> ticks since the task started.</param>
/// <param name="StackId">The stack, in <see cref="ProfileData.Stacks"/>.</param>
/// <param name="WeightTicks">The run time the sample stands for: since the run's previous sample (or since it became eligible).</param>
internal readonly record struct StackSample(long RunId, int Sequence, long OffsetTicks, int StackId, long WeightTicks);
