using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>The profiler's limits (<c>PyChecks:Profiler</c> in configuration).</summary>
[Experimental("PYCHECKS001")]
public sealed class ProfilerOptions
{
    /// <summary>The most tasks pending or running at once; one more is refused (<see cref="ProfileRequestError.TooManyTasks"/>). Default: 4.</summary>
    [Range(1, 64)]
    public int MaxConcurrentTasks { get; set; } = 4;

    /// <summary>How many ended tasks keep their results; older ones are forgotten. Default: 32.</summary>
    [Range(0, 1000)]
    public int RetainedTasks { get; set; } = 32;

    /// <summary>
    /// The most memory one task's result may take, in bytes (an estimate: frames, distinct stacks and snapshots); a
    /// task that reaches it completes, saying so. Default: 32 MiB.
    /// </summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public long MaxTaskBytes { get; set; } = 32L * 1024 * 1024;
}
