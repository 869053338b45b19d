using System.Diagnostics;

namespace PyChecks.Profiling;

/// <summary>
/// A task of a check that runs in a worker process. The worker samples it with a profiler of its own and sends its data
/// in deltas (<see cref="TakeDelta"/> there, <see cref="Merge"/> here); this side keeps the state on the host's clock
/// (start when the worker says it runs, duration, cancel), so that the task reads like one sampled in process. Asked to
/// end, it waits for the worker's last samples; a worker that ends meanwhile fails it (<see cref="Fail"/>).
/// </summary>
internal sealed partial class ProfileSession
{
    /// <summary>How long a forwarded task that was asked to end waits for its worker's last samples before it ends without them.</summary>
    internal static readonly TimeSpan LastSamplesTimeout = TimeSpan.FromSeconds(5);

    private readonly IProfileForwarder? _forwarder;
    private (ProfileTaskState State, string? Reason, DateTimeOffset At)? _stopping;
    private ProfileQuality? _forwardedQuality;
    private ITimer? _lastSamplesTimer;

    // What TakeDelta has handed out so far (in the worker).
    private int _sentFrames;
    private int _sentStacks;
    private int _sentSamples;
    private Dictionary<long, long?>? _sentRuns;

    /// <summary>Whether the task is sampled in a worker process and merged here.</summary>
    public bool IsForwarded => _forwarder is not null;

    /// <summary>
    /// Merges what the worker sampled since its previous delta (on the worker's reading thread). The first delta starts
    /// the task; the <paramref name="final"/> one ends it, as asked here or, when nothing was asked, as the worker's
    /// task ended (its runs were all profiled, its memory cap, a failure there).
    /// </summary>
    /// <exception cref="InvalidDataException">The delta does not continue the data received so far.</exception>
    public void Merge(ProfileDelta delta, bool final)
    {
        bool started = false;
        (ProfileTaskState State, string? Reason, DateTimeOffset At)? stopping;
        lock (_lock)
        {
            if (_state is not (ProfileTaskState.Pending or ProfileTaskState.Running))
            {
                return; // ended here already (its worker was lost, or its last samples came too late)
            }

            Data.Append(delta);
            _runs = delta.Runs;
            _forwardedQuality = delta.Quality;
            if (_state == ProfileTaskState.Pending && delta.State != ProfileTaskState.Pending)
            {
                _state = ProfileTaskState.Running;
                _startedAt = _time.GetUtcNow();
                _startedTimestamp = Stopwatch.GetTimestamp();
                _timer = _time.CreateTimer(static s => ((ProfileSession)s!).End(ProfileTaskState.Completed, null), this, Request.Duration, Timeout.InfiniteTimeSpan);
                started = true;
            }

            stopping = _stopping;
        }

        if (started)
        {
            _started.TrySetResult();
        }

        if (!final)
        {
            return;
        }

        if (stopping is { } asked)
        {
            Finish(asked.State, asked.Reason, asked.At);
        }
        else
        {
            Finish(delta.State is ProfileTaskState.Pending or ProfileTaskState.Running ? ProfileTaskState.Completed : delta.State, delta.Reason, null);
        }
    }

    /// <summary>Ends the task failed at once, with what it received so far: its worker process ended, or its check left it.</summary>
    public void Fail(string reason) => Finish(ProfileTaskState.Failed, reason, null);

    /// <summary>
    /// In the worker: what the task sampled since the previous call, and its state and quality now. One caller at a
    /// time, who sends the deltas in the order taken.
    /// </summary>
    public ProfileDelta TakeDelta()
    {
        lock (_lock)
        {
            var task = Snapshot();
            _sentRuns ??= [];
            var runs = new List<RunRecord>();
            foreach (var run in Data.Runs.Values)
            {
                if (!_sentRuns.TryGetValue(run.RunId, out long? detached) || detached != run.DetachedTicks)
                {
                    runs.Add(run with { });
                    _sentRuns[run.RunId] = run.DetachedTicks;
                }
            }

            var delta = new ProfileDelta
            {
                State = _state,
                Reason = _reason,
                Runs = _runs,
                Quality = task.Quality,
                FirstFrame = _sentFrames,
                Frames = [.. Data.Frames.Skip(_sentFrames)],
                FirstStack = _sentStacks,
                Stacks = [.. Data.Stacks.Skip(_sentStacks)],
                FirstSample = _sentSamples,
                Samples = [.. Data.Samples.Skip(_sentSamples)],
                RunRecords = [.. runs],
            };
            _sentFrames = Data.Frames.Count;
            _sentStacks = Data.Stacks.Count;
            _sentSamples = Data.Samples.Count;
            return delta;
        }
    }

    /// <summary>
    /// Asks the worker to end a running task (once): it ends when the worker's last samples arrive, at the time it was
    /// asked, or without them after <see cref="LastSamplesTimeout"/>.
    /// </summary>
    /// <returns>Whether the task is ending that way; <see langword="false"/> when it is pending (it ends now) or ended.</returns>
    private bool StopForwarded(ProfileTaskState state, string? reason)
    {
        lock (_lock)
        {
            if (_state != ProfileTaskState.Running)
            {
                return false;
            }

            if (_stopping is not null)
            {
                return true;
            }

            _stopping = (state, reason, _time.GetUtcNow());
            _timer?.Dispose();
            // On the system's clock: how long a process takes to answer is real time, whatever clock the host's tasks keep.
            _lastSamplesTimer = TimeProvider.System.CreateTimer(static s => ((ProfileSession)s!).LastSamplesLate(), this, LastSamplesTimeout, Timeout.InfiniteTimeSpan);
        }

        _forwarder!.Stop(this);
        return true;
    }

    private void LastSamplesLate()
    {
        (ProfileTaskState State, string? Reason, DateTimeOffset At)? stopping;
        lock (_lock)
        {
            stopping = _stopping;
        }

        if (stopping is { } asked)
        {
            Finish(asked.State, (asked.Reason ?? DefaultReason(asked.State)) + $" Its worker process did not send its last samples within {LastSamplesTimeout.TotalSeconds:0} s: they are missing.", asked.At);
        }
    }
}
