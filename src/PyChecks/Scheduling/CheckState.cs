namespace PyChecks;

/// <summary>Where a scheduled check instance stands.</summary>
public enum CheckState
{
    /// <summary>Waiting for its next run.</summary>
    Scheduled,

    /// <summary>A run is in progress, or dispatched and waiting for a free Python worker.</summary>
    Running,

    /// <summary>A run overstayed its timeout and did not return after the interrupt (blocked in C); a stand-in worker took its place.</summary>
    Stuck,

    /// <summary>No longer scheduled: removed by a reload, or the scheduler stopped.</summary>
    Stopped,
}
