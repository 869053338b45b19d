namespace PyChecks;

/// <summary>A scheduled check instance's state and run history, as of the moment it was read.</summary>
public sealed record CheckStatus
{
    /// <summary>The instance's check id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The check's name.</summary>
    public required string CheckName { get; init; }

    /// <summary>The check's version (<c>__version__</c>, or <c>unversioned</c>).</summary>
    public required string Version { get; init; }

    /// <summary>Where the check came from (e.g. <c>python:/srv/checks.d/hello.py</c>).</summary>
    public required string Source { get; init; }

    /// <summary>Where its configuration came from (a <c>conf.d</c> file, or <c>code</c>).</summary>
    public required string ConfigSource { get; init; }

    /// <summary>How often it runs.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>How long a run may take before it is interrupted.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Where it stands now.</summary>
    public required CheckState State { get; init; }

    /// <summary>
    /// Whether a cancel was asked for the run in progress and has not taken effect yet: a run stuck in C code takes it
    /// when it returns to Python (<see cref="CheckCancelResult.Pending"/>).
    /// </summary>
    public bool CancelPending { get; init; }

    /// <summary>
    /// Whether a stand-in worker took the place of the worker a <see cref="CheckState.Stuck"/> run holds; false when
    /// <see cref="PyChecksOptions.MaxStandInWorkers"/> stand-ins were already running (or the host was stopping): the
    /// other checks then share one worker less until the stuck run returns.
    /// </summary>
    public bool StandInWorker { get; init; }

    /// <summary>Warnings raised while its module was imported.</summary>
    public IReadOnlyList<string> LoadWarnings { get; init; } = [];

    /// <summary>When the last (or current) run started; <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastRunStartedAt { get; init; }

    /// <summary>How long the last completed run took.</summary>
    public TimeSpan? LastRunDuration { get; init; }

    /// <summary>How long the last completed run waited for the GIL before its Python code started (see <see cref="CheckRunResult.GilWait"/>).</summary>
    public TimeSpan? LastGilWait { get; init; }

    /// <summary>The longest <see cref="CheckRunResult.GilWait"/> of the runs completed since the instance was scheduled.</summary>
    public TimeSpan MaxGilWait { get; init; }

    /// <summary>How the last completed run ended.</summary>
    public CheckRunOutcome LastOutcome { get; init; }

    /// <summary>The last completed run's error, or <see langword="null"/> if it succeeded.</summary>
    public string? LastError { get; init; }

    /// <summary>The Python traceback of <see cref="LastError"/>, when there is one.</summary>
    public string? LastTraceback { get; init; }

    /// <summary>Warnings of the last completed run (<c>self.warning(...)</c>).</summary>
    public IReadOnlyList<string> LastWarnings { get; init; } = [];

    /// <summary>Metrics submitted by the last completed run.</summary>
    public int LastMetrics { get; init; }

    /// <summary>Service checks submitted by the last completed run.</summary>
    public int LastServiceChecks { get; init; }

    /// <summary>Events submitted by the last completed run.</summary>
    public int LastEvents { get; init; }

    /// <summary>Histogram buckets submitted by the last completed run.</summary>
    public int LastHistogramBuckets { get; init; }

    /// <summary>Runs completed since the instance was scheduled, whatever their outcome.</summary>
    public long TotalRuns { get; init; }

    /// <summary>Runs that ended with <see cref="CheckRunOutcome.Error"/>.</summary>
    public long TotalErrors { get; init; }

    /// <summary>Runs that ended with <see cref="CheckRunOutcome.TimedOut"/>.</summary>
    public long TotalTimeouts { get; init; }

    /// <summary>Runs that ended with <see cref="CheckRunOutcome.Cancelled"/>.</summary>
    public long TotalCancelled { get; init; }

    /// <summary>Runs not started because the previous one was still in progress (or the scheduler fell behind): counted, never queued.</summary>
    public long TotalSkipped { get; init; }
}
