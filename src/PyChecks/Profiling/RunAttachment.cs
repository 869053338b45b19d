namespace PyChecks.Profiling;

/// <summary>One run attached to a profile task: where to find its frames, and its sampling progress.</summary>
internal sealed class RunAttachment(ProfileSession session, nint threadState, nuint threadId, long runId, long eligibleAt)
{
    private bool _detached;

    /// <summary>The task.</summary>
    public ProfileSession Session { get; } = session;

    /// <summary>
    /// The run's thread state: valid while the run is attached. Walked under the GIL, or read without it by
    /// <see cref="PyChecks.Interop.FrameReader"/>, whose reads cannot fault and whose sample counts only if the run
    /// was still attached when the read ended (<see cref="Detached"/>).
    /// </summary>
    public nint ThreadState { get; } = threadState;

    /// <summary>The run's Python thread id (<c>threading.get_ident()</c>).</summary>
    public nuint ThreadId { get; } = threadId;

    /// <summary>A process-wide run number.</summary>
    public long RunId { get; } = runId;

    /// <summary>When the run becomes old enough to sample (attach time plus the task's min run duration).</summary>
    public long EligibleAt { get; } = eligibleAt;

    /// <summary>When the run was last sampled (initially <see cref="EligibleAt"/>): the next sample's weight starts here. Sampler only.</summary>
    public long LastSampleAt { get; set; } = eligibleAt;

    /// <summary>Set (before the run's worker goes on) once the run is detached or its task ended.</summary>
    public bool Detached
    {
        get => Volatile.Read(ref _detached);
        set => Volatile.Write(ref _detached, value);
    }

    /// <summary>Whether the run is sampled under the GIL only: its stack moved during a read without it. Sampler only.</summary>
    public bool SampledUnderGil { get; set; }

    /// <summary>The next sample's sequence number within the run. Sampler only.</summary>
    public int Sequence { get; set; }
}
