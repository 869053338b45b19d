using System.Diagnostics;
using PyChecks.Interop;

namespace PyChecks.Profiling;

/// <summary>
/// One profile task's life and data. Runs attach and detach on their workers (GIL held); the sampler walks and records
/// on its own thread; readers take snapshots. The session's lock guards the state, the attached runs and the data; the
/// code table belongs to the sampler thread alone. A task of a check in a worker process is sampled there and merged
/// here (<c>ProfileSession.Forwarded.cs</c>).
/// </summary>
internal sealed partial class ProfileSession
{
    private readonly Lock _lock = new();
    private readonly List<RunAttachment> _attached = [];
    private readonly DurationReservoir _gilWaits = new();
    private readonly DurationReservoir _holds = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _endedSource = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<ProfileSession> _ended;
    private readonly Action _wake;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private volatile ProfileTaskState _state = ProfileTaskState.Pending;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _endedAt;
    private long _startedTimestamp;
    private string? _message;
    private string? _reason;
    private int _runs;
    private ITimer? _timer;
    private long _nextDue;
    private int _attachedCount;

    private static long s_sequence;

    public ProfileSession(string id, ValidRequest request, TimeProvider time, long maxBytes, Action wake, Action<ProfileSession> ended, IProfileForwarder? forwarder = null)
    {
        Sequence = Interlocked.Increment(ref s_sequence);
        Id = id;
        Request = request;
        _time = time;
        _maxBytes = maxBytes;
        _wake = wake;
        _ended = ended;
        _forwarder = forwarder;
        CreatedAt = time.GetUtcNow();
        IntervalTicks = (long)(request.Interval.TotalSeconds * Stopwatch.Frequency);
    }

    public string Id { get; }

    /// <summary>The order tasks were created in (creation times can tie, on a fake clock for one).</summary>
    public long Sequence { get; }

    public string CheckId => Request.CheckId;

    public ValidRequest Request { get; }

    public DateTimeOffset CreatedAt { get; }

    public long IntervalTicks { get; }

    /// <summary>The most memory the task's data may take, in bytes (estimated).</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>The code objects seen by the walks: the sampler thread's alone.</summary>
    public CodeTable Codes { get; } = new();

    /// <summary>Completes when the task runs (or has ended before it could).</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the task has ended: its result is final.</summary>
    public Task Ended => _endedSource.Task;

    public ProfileData Data { get; } = new();

    public bool IsActive => _state is ProfileTaskState.Pending or ProfileTaskState.Running;

    /// <summary>Whether a run is attached: the sampler ticks only for sessions that have one.</summary>
    public bool HasAttachedRuns => Volatile.Read(ref _attachedCount) > 0;

    /// <summary>The <see cref="Stopwatch"/> timestamp of the next sample.</summary>
    public long NextDue
    {
        get => Interlocked.Read(ref _nextDue);
        set => Interlocked.Exchange(ref _nextDue, value);
    }

    /// <summary>The next sampling time after <paramref name="from"/>: one interval, jittered by ±10 %.</summary>
    public long NextAfter(long from) => from + (long)(IntervalTicks * (0.9 + (0.2 * Random.Shared.NextDouble())));

    /// <summary>Pending → running: arms the hooks and starts the duration timer. Sampler thread.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_state != ProfileTaskState.Pending)
            {
                return;
            }

            _state = ProfileTaskState.Running;
            _startedAt = _time.GetUtcNow();
            _startedTimestamp = Stopwatch.GetTimestamp();
            _timer = _time.CreateTimer(static s => ((ProfileSession)s!).End(ProfileTaskState.Completed, null), this, Request.Duration, Timeout.InfiniteTimeSpan);
        }

        RunProfiling.Arm(this);
        _started.TrySetResult();
    }

    /// <summary>Attaches a run that is starting on the calling worker (GIL held).</summary>
    public RunAttachment? TryAttach(nint threadState, nuint threadId, long runId)
    {
        long now = Stopwatch.GetTimestamp();
        bool first;
        RunAttachment attachment;
        lock (_lock)
        {
            if (_state != ProfileTaskState.Running || (Request.MaxRuns is { } max && _runs >= max))
            {
                return null;
            }

            _runs++;
            long eligibleAt = now + (long)(Request.MinRunDuration.TotalSeconds * Stopwatch.Frequency);
            attachment = new RunAttachment(this, threadState, threadId, runId, eligibleAt);
            _attached.Add(attachment);
            first = _attached.Count == 1;
            Volatile.Write(ref _attachedCount, _attached.Count);
            Data.AddRun(new RunRecord(runId, threadId, now - _startedTimestamp));
        }

        if (first)
        {
            NextDue = NextAfter(Math.Max(now, attachment.EligibleAt));
            _wake();
        }

        return attachment;
    }

    /// <summary>Detaches a run that is returning on its worker (GIL held). Ends the task once its last allowed run is done.</summary>
    public void Detach(RunAttachment attachment)
    {
        bool lastRun;
        lock (_lock)
        {
            if (!_attached.Remove(attachment))
            {
                return;
            }

            attachment.Detached = true;
            Volatile.Write(ref _attachedCount, _attached.Count);
            if (Data.Runs.TryGetValue(attachment.RunId, out var run))
            {
                run.DetachedTicks = Stopwatch.GetTimestamp() - _startedTimestamp;
            }

            lastRun = _attached.Count == 0 && Request.MaxRuns is { } max && _runs >= max;
        }

        if (lastRun)
        {
            End(ProfileTaskState.Completed, $"{Request.MaxRuns} run(s) profiled, as MaxRuns asked.");
        }
    }

    /// <summary>Copies the runs that are attached and old enough to sample at <paramref name="now"/>. Sampler thread.</summary>
    public void CopyEligible(long now, List<RunAttachment> into)
    {
        lock (_lock)
        {
            if (_state != ProfileTaskState.Running)
            {
                return;
            }

            foreach (var attachment in _attached)
            {
                if (now >= attachment.EligibleAt)
                {
                    into.Add(attachment);
                }
            }
        }
    }

    /// <summary>Records one tick's samples for this task. Sampler thread, outside the GIL.</summary>
    public void Record(ReadOnlySpan<TickSample> samples, ReadOnlySpan<FrameSample> frames, long gilWait, long hold, Span<int> scratch)
    {
        if (samples.IsEmpty)
        {
            return; // no run old enough yet: nothing seen, nothing to account
        }

        bool full;
        lock (_lock)
        {
            if (_state != ProfileTaskState.Running)
            {
                return;
            }

            _gilWaits.Add(gilWait);
            _holds.Add(hold);
            foreach (var sample in samples)
            {
                var attachment = sample.Attachment;
                long weight = sample.ObservedAt - attachment.LastSampleAt;
                attachment.LastSampleAt = sample.ObservedAt;
                if (sample.Count == 0)
                {
                    continue; // the run was between Python calls: no stack to show
                }

                var stackSample = new StackSample(attachment.RunId, attachment.Sequence++, sample.ObservedAt - _startedTimestamp, 0, Math.Max(weight, 0));
                Data.Add(stackSample, frames.Slice(sample.Offset, sample.Count), sample.Truncated, Codes, scratch);
            }

            full = Data.Bytes >= _maxBytes;
        }

        if (full)
        {
            End(ProfileTaskState.Completed, $"The task reached its memory cap ({_maxBytes:N0} bytes, ProfilerOptions.MaxTaskBytes) and stopped sampling early.");
        }
    }

    /// <summary>
    /// Ends the task (if still active): no run attaches any more, the attached ones are let go, the result is final. A
    /// forwarded task that runs ends once its worker process sent its last samples (<see cref="Ended"/>).
    /// </summary>
    /// <param name="state">How it ended.</param>
    /// <param name="message">Why; <see langword="null"/> for the state's default.</param>
    /// <returns>Whether this call ended it.</returns>
    public bool End(ProfileTaskState state, string? message)
    {
        if (_forwarder is { } forwarder)
        {
            if (StopForwarded(state, message))
            {
                return false;
            }

            // Pending: nothing was sampled yet, it ends now; its worker may have it already.
            bool ended = Finish(state, message, null);
            if (ended)
            {
                forwarder.Stop(this);
            }

            return ended;
        }

        return Finish(state, message, null);
    }

    /// <summary>Ends the task (if still active) with <paramref name="state"/>, at <paramref name="endedAt"/> (default: now).</summary>
    private bool Finish(ProfileTaskState state, string? reason, DateTimeOffset? endedAt)
    {
        lock (_lock)
        {
            if (_state is not (ProfileTaskState.Pending or ProfileTaskState.Running))
            {
                return false;
            }

            _state = state;
            _endedAt = endedAt ?? _time.GetUtcNow();
            _reason = reason;
            _message = (reason ?? DefaultReason(state)) + SamplesNote();
            foreach (var attachment in _attached)
            {
                attachment.Detached = true;
            }

            _attached.Clear();
            Volatile.Write(ref _attachedCount, 0);
            _timer?.Dispose();
            _lastSamplesTimer?.Dispose();
        }

        RunProfiling.Disarm(this);
        _started.TrySetResult();
        _ended(this);
        _endedSource.TrySetResult();
        _wake();
        return true;
    }

    public ProfileTask Snapshot()
    {
        lock (_lock)
        {
            long samples = Data.Samples.Count;
            var sampled = Stopwatch.GetElapsedTime(0, Data.SampledTicks);
            return new ProfileTask
            {
                Id = Id,
                CheckId = CheckId,
                State = _state,
                Duration = Request.Duration,
                Interval = Request.Interval,
                MaxDepth = Request.MaxDepth,
                MinRunDuration = Request.MinRunDuration,
                MaxRuns = Request.MaxRuns,
                CreatedAt = CreatedAt,
                StartedAt = _startedAt,
                EndedAt = _endedAt,
                Runs = _runs,
                Message = _message,
                Quality = _forwardedQuality ?? new ProfileQuality
                {
                    Samples = samples,
                    TruncatedSamples = Data.TruncatedSamples,
                    SampledTime = sampled,
                    RequestedHz = 1 / Request.Interval.TotalSeconds,
                    AchievedHz = sampled > TimeSpan.Zero ? samples / sampled.TotalSeconds : 0,
                    GilWaitP50 = _gilWaits.Percentile(50),
                    GilWaitP99 = _gilWaits.Percentile(99),
                    HoldP50 = _holds.Percentile(50),
                    HoldP99 = _holds.Percentile(99),
                },
            };
        }
    }

    /// <summary>A copy of the data as it is now, for a result.</summary>
    public ProfileResult Result()
    {
        lock (_lock)
        {
            var task = Snapshot();
            return new ProfileResult(
                task,
                [.. Data.Frames],
                [.. Data.Stacks],
                [.. Data.StackWeights],
                [.. Data.Samples],
                [.. Data.Runs.Values.Select(r => r with { })]);
        }
    }

    private string DefaultReason(ProfileTaskState state) => state switch
    {
        ProfileTaskState.Completed => $"The task's duration ({Request.Duration.TotalSeconds:0.###} s) elapsed.",
        ProfileTaskState.Cancelled => "Cancelled.",
        _ => "Failed.",
    };

    /// <summary>Why a task has no samples, when it has none (with the leading space); empty otherwise.</summary>
    private string SamplesNote() => (_runs, Data.Samples.Count) switch
    {
        (0, _) => " The check did not run while the task was active: no samples.",
        (_, 0) => $" {_runs} run(s) of the check started, but none ran long enough to be sampled (interval {Request.Interval.TotalMilliseconds:0} ms, min run duration {Request.MinRunDuration.TotalMilliseconds:0} ms): no samples.",
        _ => string.Empty,
    };
}
