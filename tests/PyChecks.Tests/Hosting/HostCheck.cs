namespace PyChecks.Tests.Hosting;

/// <summary>
/// A check written in C#, as a host provides its own through an <see cref="ICheckLoader"/>: no Python, and it submits
/// to the host's senders itself (PyChecks hands an <see cref="ICheck"/> no sender). Its instance's <c>mode</c> says
/// how a run behaves: <c>count</c> submits <c>host.runs</c>; <c>honour</c> waits until its token fires and returns an
/// interrupted result; <c>ignore</c> waits for <see cref="Release"/> whatever its token says.
/// </summary>
public sealed class HostCheck(CheckInstanceConfig config, IReadOnlyList<ISender> senders, TimeProvider time) : ICheck
{
    private readonly string _mode = config.Instance.TryGetValue("mode", out object? mode) && mode is string text ? text : "count";
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _started;
    private int _disposed;

    public string Id => config.CheckId;

    public string Name => config.CheckName;

    public string Version => "1.0";

    public TimeSpan Interval => config.Interval;

    public string Source => "host:" + config.CheckName;

    public IReadOnlyList<string> LoadWarnings => [];

    public IReadOnlyDictionary<string, string> Metadata => new Dictionary<string, string>();

    /// <summary>Runs started.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Whether a run's token fired.</summary>
    public bool TokenFired { get; private set; }

    public bool Disposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Lets a run in <c>ignore</c> mode return.</summary>
    public void Release() => _release.TrySetResult();

    public async Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException($"Check {Id} is already running.");
        }

        var startedAt = time.GetUtcNow();
        long started = time.GetTimestamp();
        int run = Interlocked.Increment(ref _started);
        using var fired = cancellationToken.Register(() => TokenFired = true);
        try
        {
            string? error = null;
            switch (_mode)
            {
                case "honour":
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        error = "interrupted";
                    }

                    break;
                case "ignore":
                    await _release.Task.ConfigureAwait(false);
                    break;
            }

            int metrics = error is null ? Submit(run) : 0;
            foreach (var sender in senders)
            {
                sender.Commit(new CheckRunSummary { CheckId = Id, CheckName = Name, Succeeded = error is null, Metrics = metrics, ServiceChecks = 0, Events = 0, HistogramBuckets = 0 });
            }

            return new CheckRunResult { CheckId = Id, Error = error, Interrupted = error is not null, StartedAt = startedAt, Duration = time.GetElapsedTime(started), Metrics = metrics };
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Cancel()
    {
    }

    public void Dispose() => Volatile.Write(ref _disposed, 1);

    private int Submit(int run)
    {
        foreach (var sender in senders)
        {
            sender.SubmitMetric(new MetricSample { CheckId = Id, Type = MetricType.Gauge, Name = "host.runs", Value = run, Tags = [], Hostname = string.Empty });
        }

        return 1;
    }
}
