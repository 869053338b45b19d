using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PyChecks.Soak;

/// <summary>
/// A logger provider that counts what the host logs, by event id, and sorts the failed runs it reports (event 1010)
/// per check id by cause. Bounded: counters per event id and per instance, and the first few texts of each kind.
/// </summary>
internal sealed class LogRecorder : ILoggerProvider
{
    public const int RunFailed = 1010, RunTimedOut = 1011, WorkerStarted = 1201, WorkerEnded = 1202, WorkerStartFailed = 1203, WorkerQuarantined = 1204;
    private const int Kept = 3;

    private readonly ConcurrentDictionary<int, long> _events = new();
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string>[] _examples = [.. Enum.GetValues<Cause>().Select(static _ => new ConcurrentQueue<string>())];
    private readonly ConcurrentQueue<string> _workerEnds = new();
    private readonly ConcurrentQueue<string> _otherWorkerEnds = new();
    private long _workerEndsBySegfault;
    private long _startMillisecondsTotal;
    private long _startMillisecondsMax;

    /// <summary>How a failed run's error says it ended.</summary>
    public enum Cause
    {
        /// <summary>Its worker process died during the run (a segmentation fault, here).</summary>
        WorkerLost,

        /// <summary>
        /// Its worker process died while the instance was being loaded into it again before the run (a new worker loads
        /// each instance at its first run there). The error reads "the check did not load again in its new worker process
        /// (pid …): the worker process ended [while it loaded the check]: …".
        /// </summary>
        WorkerLostWhileLoading,

        /// <summary>It timed out, or was cancelled, while waiting for its (restarting) worker.</summary>
        NotTaken,

        /// <summary>Its worker could not be started, or the instance did not load into the new one (for another reason than its end).</summary>
        WorkerNotStarted,

        /// <summary>The instance was quarantined.</summary>
        Quarantined,

        /// <summary>Anything else.</summary>
        Other,
    }

    /// <summary>Worker ends (event 1202) whose text says signal SIGSEGV.</summary>
    public long WorkerEndsBySegfault => Interlocked.Read(ref _workerEndsBySegfault);

    /// <summary>The first worker ends logged (1202), and the first that were not a segmentation fault.</summary>
    public (IReadOnlyCollection<string> First, IReadOnlyCollection<string> NotSegfault) WorkerEnds => (_workerEnds, _otherWorkerEnds);

    /// <summary>The first few failed-run errors of a cause, with their check ids.</summary>
    public IReadOnlyCollection<string> Examples(Cause cause) => _examples[(int)cause];

    /// <summary>Worker starts (event 1201): mean and longest time to a worker with Python ready, milliseconds.</summary>
    public (double Mean, long Max) WorkerStartMilliseconds =>
        (Interlocked.Read(ref _startMillisecondsTotal) / (double)Math.Max(1, Count(WorkerStarted)), Interlocked.Read(ref _startMillisecondsMax));

    public long Count(int eventId) => _events.GetValueOrDefault(eventId);

    /// <summary>Failed runs (1010) of one instance by cause, and its timeouts (1011).</summary>
    public Failures Of(string checkId) => _failures.GetValueOrDefault(checkId) ?? Failures.None;

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private static Cause Classify(string error) => error switch
    {
        _ when error.StartsWith("quarantined", StringComparison.Ordinal) => Cause.Quarantined,
        _ when error.Contains("before its worker process could take it", StringComparison.Ordinal) => Cause.NotTaken,
        _ when error.StartsWith("the check did not load again in its new worker process", StringComparison.Ordinal) && error.Contains(": the worker process ended", StringComparison.Ordinal) => Cause.WorkerLostWhileLoading,
        _ when error.Contains("could not be started", StringComparison.Ordinal) || error.Contains("did not load again", StringComparison.Ordinal) => Cause.WorkerNotStarted,
        _ when error.StartsWith("its worker process (pid ", StringComparison.Ordinal) => Cause.WorkerLost,
        _ => Cause.Other,
    };

    private static void Keep(ConcurrentQueue<string> queue, string text)
    {
        if (queue.Count < Kept)
        {
            queue.Enqueue(text.Length > 400 ? text[..400] + "…" : text);
        }
    }

    private void Record<TState>(EventId eventId, TState state, string message)
    {
        _events.AddOrUpdate(eventId.Id, 1, static (_, n) => n + 1);
        switch (eventId.Id)
        {
            case RunFailed when Field(state, "CheckId") is string checkId:
                {
                    string error = Field(state, "Error") as string ?? string.Empty;
                    var cause = Classify(error);
                    var failures = _failures.GetOrAdd(checkId, static _ => new Failures());
                    Interlocked.Increment(ref failures.ByCause[(int)cause]);
                    Keep(_examples[(int)cause], $"{checkId}: {error}");

                    break;
                }

            case RunTimedOut when Field(state, "CheckId") is string checkId:
                Interlocked.Increment(ref _failures.GetOrAdd(checkId, static _ => new Failures()).TimedOut);
                break;
            case WorkerStarted when Field(state, "Milliseconds") is double milliseconds:
                Interlocked.Add(ref _startMillisecondsTotal, (long)milliseconds);
                InterlockedMax(ref _startMillisecondsMax, (long)milliseconds);
                break;
            case WorkerEnded:
                Keep(_workerEnds, message);
                if (message.Contains("signal SIGSEGV", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _workerEndsBySegfault);
                }
                else
                {
                    Keep(_otherWorkerEnds, message);
                }

                break;
            default:
                break;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen = Interlocked.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is long now && now != seen)
        {
            seen = now;
        }
    }

    private static object? Field<TState>(TState state, string name)
    {
        if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            foreach (var (key, value) in fields)
            {
                if (key == name)
                {
                    return value;
                }
            }
        }

        return null;
    }

    /// <summary>One instance's failed runs, by <see cref="Cause"/>, and its timeouts.</summary>
    internal sealed class Failures
    {
        public static readonly Failures None = new();

        public long[] ByCause { get; } = new long[Enum.GetValues<Cause>().Length];

        public long TimedOut;

        public long Total => ByCause.Sum();
    }

    private sealed class Logger(LogRecorder recorder) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is RunFailed or RunTimedOut or WorkerStarted or WorkerEnded or WorkerStartFailed or WorkerQuarantined)
            {
                recorder.Record(eventId, state, eventId.Id == WorkerEnded ? formatter(state, exception) : string.Empty);
            }
        }
    }
}
