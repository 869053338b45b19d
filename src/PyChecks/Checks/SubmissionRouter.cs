using Microsoft.Extensions.Logging;
using PyChecks.Builtins;
using PyChecks.Telemetry;

namespace PyChecks.Checks;

/// <summary>
/// The host side of the built-in modules (their <see cref="IBuiltinSink"/>): finds the check a submission belongs to
/// and hands the sample to every <see cref="ISender"/>, isolating each one's failures. The host creates one when it
/// starts and gives it to the modules, to its checks and to its telemetry.
/// </summary>
internal sealed partial class SubmissionRouter : IBuiltinSink
{
    private readonly Dictionary<string, List<CheckRunContext>> _checks = new(StringComparer.Ordinal);
    private readonly ISender[] _senders;
    private long _senderErrors;

    public SubmissionRouter(IEnumerable<ISender> senders, AgentInfo agent, ILoggerFactory loggerFactory, AgentServices services, CheckTelemetry? checkTelemetry)
    {
        _senders = [.. senders];
        Agent = agent;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("PyChecks.Checks");
        Services = services;
        CheckTelemetry = checkTelemetry;
    }

    public AgentInfo Agent { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger { get; }

    /// <summary>Exceptions thrown by senders, caught and logged.</summary>
    public long SenderErrors => Interlocked.Read(ref _senderErrors);

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
            LogUnrouted(Logger, checkId);
        }

        return found;
    }

    public void Deliver(in MetricSample sample) => Deliver<MetricSample, Submit>(Targets(sample.CheckId), sample);

    public void DeliverFromRunning(in MetricSample sample, CheckRunContext running) => Deliver<MetricSample, Submit>(running.Capture ?? _senders, sample);

    public void Deliver(in ServiceCheckSample sample) => Deliver<ServiceCheckSample, Submit>(Targets(sample.CheckId), sample);

    public void Deliver(in HistogramBucketSample sample) => Deliver<HistogramBucketSample, Submit>(Targets(sample.CheckId), sample);

    public void Deliver(CheckEvent checkEvent) => Deliver<CheckEvent, Submit>(Targets(checkEvent.CheckId), checkEvent);

    public void Commit(CheckRunContext context, in CheckRunSummary summary) => Deliver<CheckRunSummary, Submit>(context.Capture ?? _senders, summary);

    /// <summary>The senders of a check that runs elsewhere (a worker process): its capture, or every sender.</summary>
    public ISender[] TargetsOf(ISender[]? capture) => capture ?? _senders;

    /// <summary>Delivers what a check in a worker process submitted to <paramref name="targets"/> (see <see cref="TargetsOf"/>).</summary>
    public void DeliverTo(ISender[] targets, in MetricSample sample) => Deliver<MetricSample, Submit>(targets, sample);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, in ServiceCheckSample sample) => Deliver<ServiceCheckSample, Submit>(targets, sample);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, in HistogramBucketSample sample) => Deliver<HistogramBucketSample, Submit>(targets, sample);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, CheckEvent checkEvent) => Deliver<CheckEvent, Submit>(targets, checkEvent);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, CheckLog log) => Deliver<CheckLog, Submit>(targets, log);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, ExternalHostTags tags) => Deliver<ExternalHostTags, Submit>(targets, tags);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, EventPlatformEvent platformEvent) => Deliver<EventPlatformEvent, Submit>(targets, platformEvent);

    /// <inheritdoc cref="DeliverTo(ISender[], in MetricSample)"/>
    public void DeliverTo(ISender[] targets, in CheckRunSummary summary) => Deliver<CheckRunSummary, Submit>(targets, summary);

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

    /// <summary>
    /// The one deliver loop: hands <paramref name="report"/> to each of <paramref name="targets"/>; a sender that throws is
    /// counted and logged, and the others still receive it. <typeparamref name="TSubmit"/> is a struct, so the JIT
    /// compiles one loop per kind with a direct call to the sender's method, as a hand-written loop would be.
    /// </summary>
    private void Deliver<TReport, TSubmit>(ISender[] targets, scoped in TReport report)
        where TReport : allows ref struct
        where TSubmit : struct, ISubmit<TReport>
    {
        foreach (var sender in targets)
        {
            try
            {
                TSubmit.To(sender, report);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
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
