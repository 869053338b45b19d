using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Builtins;
using PyChecks.Telemetry;

namespace PyChecks.Checks;

/// <summary>
/// The .NET side of the built-in modules: finds the check a submission belongs to, appends its
/// configured tags, and hands the sample to every <see cref="ISender"/>, isolating each one's failures.
/// One per process (the module state of <c>aggregator</c> and <c>datadog_agent</c> points here).
/// </summary>
internal sealed partial class SubmissionRouter
{
    private readonly Dictionary<string, List<CheckRunContext>> _checks = new(StringComparer.Ordinal);
    private string[]? _tagBuffer = new string[64];
    private ISender[] _senders = [];
    private long _senderErrors;
    private long _unroutedSamples;

    public static SubmissionRouter Instance { get; } = new();

    /// <summary>Strings decoded from Python, cached across runs. Used only with the GIL held.</summary>
    public Utf8StringCache Strings { get; } = new();

    public AgentInfo Agent { get; private set; } = new();

    public ILoggerFactory LoggerFactory { get; private set; } = NullLoggerFactory.Instance;

    public ILogger Logger { get; private set; } = NullLogger.Instance;

    public IReadOnlyList<ISender> Senders => _senders;

    /// <summary>Exceptions thrown by senders, caught and logged.</summary>
    public long SenderErrors => Interlocked.Read(ref _senderErrors);

    /// <summary>Samples whose check id named no loaded check; dropped.</summary>
    public long UnroutedSamples => Interlocked.Read(ref _unroutedSamples);

    public void Configure(IEnumerable<ISender> senders, AgentInfo agent, ILoggerFactory loggerFactory)
    {
        _senders = [.. senders];
        Agent = agent;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("PyChecks.Checks");
    }

    /// <summary>
    /// Makes <paramref name="context"/> the one found by its id. Several instances can share an id for a while (an
    /// instance replaced by a reload whose last run is still going, a run-once copy): the latest registered wins, and
    /// unregistering it brings back the previous one.
    /// </summary>
    public void Register(CheckRunContext context)
    {
        lock (_checks)
        {
            if (!_checks.TryGetValue(context.CheckId, out var contexts))
            {
                _checks[context.CheckId] = contexts = [];
            }

            contexts.Add(context);
        }
    }

    public void Unregister(CheckRunContext context)
    {
        lock (_checks)
        {
            if (_checks.TryGetValue(context.CheckId, out var contexts) && contexts.Remove(context) && contexts.Count == 0)
            {
                _checks.Remove(context.CheckId);
            }
        }
    }

    public CheckRunContext? Find(string checkId)
    {
        lock (_checks)
        {
            return _checks.TryGetValue(checkId, out var contexts) ? contexts[^1] : null;
        }
    }

    /// <summary>Finds the check for a submission: the running check when the id matches, else by id.</summary>
    public CheckRunContext? Resolve(string checkId)
    {
        var current = CheckRunContext.Current;
        if (current is not null && string.Equals(current.CheckId, checkId, StringComparison.Ordinal))
        {
            return current;
        }

        var found = Find(checkId);
        if (found is null)
        {
            Interlocked.Increment(ref _unroutedSamples);
            LogUnrouted(Logger, checkId);
        }

        return found;
    }

    /// <summary>
    /// Takes the tag buffer (or a fresh one if a re-entrant submission holds it). No atomics: the callers
    /// hold the GIL, so only re-entrance on the same thread can find it taken.
    /// </summary>
    public string[] RentTags(int capacity)
    {
        var buffer = _tagBuffer;
        _tagBuffer = null;
        return buffer is not null && buffer.Length >= capacity ? buffer : new string[Math.Max(capacity, 64)];
    }

    /// <summary>Gives the buffer back, clearing the <paramref name="used"/> slots (the strings are cached anyway, but a buffer should not keep them alive).</summary>
    public void ReturnTags(string[] buffer, int used)
    {
        buffer.AsSpan(0, used).Clear();
        _tagBuffer = buffer;
    }

    public void Deliver(in MetricSample sample)
    {
        foreach (var sender in Targets(sample.CheckId))
        {
            try
            {
                sender.SubmitMetric(sample);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    public void Deliver(in ServiceCheckSample sample)
    {
        foreach (var sender in Targets(sample.CheckId))
        {
            try
            {
                sender.SubmitServiceCheck(sample);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    public void Deliver(CheckEvent checkEvent) => DeliverReport(checkEvent.CheckId, checkEvent, static (sender, report) => sender.SubmitEvent(report));

    public void Deliver(in HistogramBucketSample sample)
    {
        foreach (var sender in Targets(sample.CheckId))
        {
            try
            {
                sender.SubmitHistogramBucket(sample);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    public void Commit(CheckRunContext context, in CheckRunSummary summary)
    {
        foreach (var sender in context.Capture ?? _senders)
        {
            try
            {
                sender.Commit(summary);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    /// <summary>Logs a tag given as bytes that are not UTF-8 (it is dropped), with Python's repr of the bytes.</summary>
    public void TagNotUtf8(ReadOnlySpan<byte> tag, string subject)
    {
        var repr = new System.Text.StringBuilder("b'", tag.Length + 3);
        foreach (byte b in tag)
        {
            _ = b is >= 0x20 and < 0x7f and not (byte)'\\' and not (byte)'\''
                ? repr.Append((char)b)
                : repr.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        LogTagNotUtf8(Logger, repr.Append('\'').ToString(), subject);
    }

    /// <summary>Every sender, unless the running check captures its own samples (a run-once), which then go only to its capture.</summary>
    private ISender[] Targets(string checkId) =>
        CheckRunContext.Current is { Capture: { } capture } current && string.Equals(current.CheckId, checkId, StringComparison.Ordinal)
            ? capture
            : _senders;

    private void SenderFailed(ISender sender, Exception e)
    {
        Interlocked.Increment(ref _senderErrors);
        try
        {
            LogSenderFailed(Logger, e, sender.GetType().FullName ?? sender.GetType().Name);
        }
        catch (Exception)
        {
            // An exception whose Message or ToString throws, formatted by the logger: the error is counted all the same,
            // and the other senders must still get the sample.
        }
    }

    [LoggerMessage(EventId = EventIds.SenderFailed, Level = LogLevel.Error, Message = "Sender {Sender} threw; the other senders still received the sample")]
    private static partial void LogSenderFailed(ILogger logger, Exception exception, string sender);

    [LoggerMessage(EventId = EventIds.TagNotUtf8, Level = LogLevel.Warning, Message = "Encoding error with tag `{Tag}` for metric `{Metric}`, ignoring tag")]
    private static partial void LogTagNotUtf8(ILogger logger, string tag, string metric);

    [LoggerMessage(EventId = EventIds.Unrouted, Level = LogLevel.Warning, Message = "A submission named check id '{CheckId}', which is not a loaded check; it was dropped")]
    private static partial void LogUnrouted(ILogger logger, string checkId);
}
