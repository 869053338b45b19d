using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>Where a profile task is in its life: <c>Pending → Running → Completed | Cancelled | Failed</c>.</summary>
[Experimental("PYCHECKS001")]
public enum ProfileTaskState
{
    /// <summary>Accepted; the sampler has not picked it up yet.</summary>
    Pending,

    /// <summary>Runs of the check are sampled as they are dispatched.</summary>
    Running,

    /// <summary>Ended on its own: its duration elapsed, its runs were all profiled, or it reached its memory cap.</summary>
    Completed,

    /// <summary>Ended by <see cref="IProfiler.Cancel"/> (or the profiler was disposed); what it sampled is kept.</summary>
    Cancelled,

    /// <summary>
    /// The sampler could not go on (the Python runtime stopped, or the worker process running the check ended, for a
    /// check in <c>CheckIsolation.Process</c> mode); what it sampled is kept.
    /// </summary>
    Failed,
}
