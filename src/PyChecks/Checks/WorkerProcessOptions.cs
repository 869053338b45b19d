using System.ComponentModel.DataAnnotations;

namespace PyChecks;

/// <summary>The worker processes that run checks in <see cref="CheckIsolation.Process"/> mode.</summary>
public sealed class WorkerProcessOptions
{
    /// <summary>How many worker processes at most (each started on first use): by default one per core.</summary>
    [Range(1, 256)]
    public int Count { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// A worker whose resident memory passes this many MiB is killed (its runs fail, saying so) and restarted;
    /// <see langword="null"/> (the default) for no limit. Checked four times a second.
    /// </summary>
    [Range(16L, 1L << 30)]
    public long? MemoryLimitMiB { get; set; }

    /// <summary>How long a worker may take to start Python and answer; one that does not is killed. Loading an instance into it has as long again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait before a lost worker is started again; the wait doubles from 0.25 s with each loss in a row.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After this many runs in a row that each ended with the loss of its worker, an instance is quarantined: its runs
    /// fail at once, saying so, until it is reloaded. 0 never quarantines.
    /// </summary>
    [Range(0, 1000)]
    public int CrashesBeforeQuarantine { get; set; } = 3;
}
