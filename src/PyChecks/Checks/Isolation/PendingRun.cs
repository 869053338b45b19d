namespace PyChecks.Checks.Isolation;

/// <summary>
/// One run of a <see cref="ProcessCheck"/> from its request to its result: the worker it went to, what arrived of it
/// (for the commit a fault ends it with), and its interrupt.
/// </summary>
internal sealed class PendingRun(ProcessCheck check, ulong runId, ISender[] targets)
{
    private readonly TaskCompletionSource<CheckRunResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<PendingRun>? _onCancel;
    private int _cancelRequested;

    public ProcessCheck Check => check;

    public ulong RunId => runId;

    public ISender[] Targets => targets;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public Task<CheckRunResult> Task => _result.Task;

    /// <summary>The worker the run was sent to; <see langword="null"/> until it was.</summary>
    public WorkerProcess? Worker { get; set; }

    public int Metrics { get; private set; }

    public int ServiceChecks { get; private set; }

    public int Events { get; private set; }

    public int HistogramBuckets { get; private set; }

    public bool HasCommitted { get; private set; }

    public bool CancelRequested => Volatile.Read(ref _cancelRequested) != 0;

    public void Counted(SubmissionKind kind)
    {
        switch (kind)
        {
            case SubmissionKind.Metric:
                Metrics++;
                break;
            case SubmissionKind.ServiceCheck:
                ServiceChecks++;
                break;
            case SubmissionKind.Event:
                Events++;
                break;
            case SubmissionKind.HistogramBucket:
                HistogramBuckets++;
                break;
            default:
                break;
        }
    }

    public void Committed() => HasCommitted = true;

    /// <summary>What to do on an interrupt once the run is on a worker (before that, the request is remembered).</summary>
    public void OnCancel(Action<PendingRun> onCancel)
    {
        Volatile.Write(ref _onCancel, onCancel);
        if (CancelRequested && Interlocked.Exchange(ref _onCancel, null) is { } act)
        {
            act(this);
        }
    }

    public void RequestCancel()
    {
        Volatile.Write(ref _cancelRequested, 1);
        if (Interlocked.Exchange(ref _onCancel, null) is { } act)
        {
            act(this);
        }
    }

    /// <summary>The run's cancellation token's registration, ended with the run.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    public void Complete(CheckRunResult result)
    {
        Registration.Unregister();
        _result.TrySetResult(result);
    }
}
