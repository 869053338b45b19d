namespace PyChecks.Profiling;

/// <summary>
/// What a task sampled since its previous delta, and where it stands: how a worker process sends a task's data to
/// its host a piece at a time. Frames, stacks and samples continue the earlier deltas' (their first index says
/// where), and their ids are those of the worker's task, which the host's copy keeps.
/// </summary>
internal sealed record ProfileDelta
{
    /// <summary>The task's state in the worker.</summary>
    public required ProfileTaskState State { get; init; }

    /// <summary>The reason the task was ended with, without the note on its samples; <see langword="null"/> for its state's default (or while it runs).</summary>
    public string? Reason { get; init; }

    /// <summary>Runs attached so far.</summary>
    public required int Runs { get; init; }

    /// <summary>The task's quality so far.</summary>
    public required ProfileQuality Quality { get; init; }

    /// <summary>The index of the first of <see cref="Frames"/> in the task's frame table.</summary>
    public required int FirstFrame { get; init; }

    /// <summary>Frames new since the previous delta.</summary>
    public required ProfileFrame[] Frames { get; init; }

    /// <summary>The index of the first of <see cref="Stacks"/> in the task's stacks.</summary>
    public required int FirstStack { get; init; }

    /// <summary>Stacks new since the previous delta, frame ids root first.</summary>
    public required int[][] Stacks { get; init; }

    /// <summary>The index of the first of <see cref="Samples"/> in the task's samples.</summary>
    public required int FirstSample { get; init; }

    /// <summary>Samples new since the previous delta, in order.</summary>
    public required StackSample[] Samples { get; init; }

    /// <summary>Runs attached or detached since the previous delta.</summary>
    public required RunRecord[] RunRecords { get; init; }

    /// <summary>Whether the delta brings no data (its state and quality may still be news).</summary>
    public bool HasNoData => Frames.Length == 0 && Stacks.Length == 0 && Samples.Length == 0 && RunRecords.Length == 0;
}
