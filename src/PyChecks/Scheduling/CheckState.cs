namespace PyChecks;

/// <summary>Where a scheduled check instance stands.</summary>
public enum CheckState
{
    /// <summary>Waiting for its next run.</summary>
    Scheduled,

    /// <summary>A run is in progress, or dispatched and waiting for a free Python worker.</summary>
    Running,

    /// <summary>
    /// A run was interrupted (its timeout, or a cancel) and did not return within the grace period: it is blocked in C
    /// code, holding its Python worker until it returns (<see cref="CheckStatus.StandInWorker"/> says whether a stand-in
    /// took its place). A cancel is pending until then, and a run-once of the check is refused.
    /// </summary>
    Stuck,

    /// <summary>No longer scheduled: removed by a reload, or the scheduler stopped.</summary>
    Stopped,
}
