namespace PyChecks.Profiling;

/// <summary>A run attached to a task.</summary>
internal sealed record RunRecord(long RunId, ulong ThreadId, long AttachedTicks)
{
    /// <summary>When the run detached, in ticks since the task started; null while attached.</summary>
    public long? DetachedTicks { get; set; }
}
