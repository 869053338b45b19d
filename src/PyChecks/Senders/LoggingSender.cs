using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks;

/// <summary>
/// Writes every submission to an <see cref="ILogger"/> (category <c>PyChecks.LoggingSender</c>):
/// samples, external tags and event-platform events at <see cref="LogLevel.Debug"/>, log lines, events and run commits at <see cref="LogLevel.Information"/>. Useful while
/// developing a check, and as a template for a sender of your own.
/// </summary>
public sealed partial class LoggingSender(ILogger<LoggingSender> logger) : ISender
{
    /// <inheritdoc />
    public void SubmitMetric(in MetricSample sample)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            string tags = string.Join(',', sample.Tags.ToArray());
            LogMetric(logger, sample.CheckId, sample.Type, sample.Name, sample.Value, tags, sample.Hostname);
        }
    }

    /// <inheritdoc />
    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            string tags = string.Join(',', sample.Tags.ToArray());
            LogServiceCheck(logger, sample.CheckId, sample.Name, sample.Status, tags, sample.Message);
        }
    }

    /// <inheritdoc />
    public void SubmitEvent(CheckEvent checkEvent)
    {
        ArgumentNullException.ThrowIfNull(checkEvent);
        if (logger.IsEnabled(LogLevel.Information))
        {
            string tags = string.Join(',', checkEvent.Tags);
            LogEvent(logger, checkEvent.CheckId, checkEvent.Title, checkEvent.AlertType, tags);
        }
    }

    /// <inheritdoc />
    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            string tags = string.Join(',', sample.Tags.ToArray());
            LogBucket(logger, sample.CheckId, sample.Name, sample.Value, sample.LowerBound, sample.UpperBound, tags);
        }
    }

    /// <inheritdoc />
    public void SubmitLog(CheckLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        LogCheckLog(logger, log.CheckId, log.Message);
    }

    /// <inheritdoc />
    public void SetExternalTags(ExternalHostTags tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            string list = string.Join(',', tags.Tags);
            LogExternalTags(logger, tags.CheckId, tags.Hostname, tags.SourceType, list);
        }
    }

    /// <inheritdoc />
    public void SubmitEventPlatformEvent(EventPlatformEvent platformEvent)
    {
        ArgumentNullException.ThrowIfNull(platformEvent);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            // The payload can be large (a query plan): its size, not its text.
            LogPlatformEvent(logger, platformEvent.CheckId, platformEvent.EventType, platformEvent.RawEvent.Length);
        }
    }

    /// <inheritdoc />
    public void Commit(in CheckRunSummary run) =>
        LogCommit(logger, run.CheckId, run.Succeeded ? "succeeded" : "failed", run.Metrics, run.ServiceChecks, run.Events, run.HistogramBuckets);

    [LoggerMessage(EventId = EventIds.SenderMetric, Level = LogLevel.Debug, Message = "{CheckId} metric {Type} {Name}={Value} tags=[{Tags}] host='{Hostname}'")]
    private static partial void LogMetric(ILogger logger, string checkId, MetricType type, string name, double value, string tags, string hostname);

    [LoggerMessage(EventId = EventIds.SenderServiceCheck, Level = LogLevel.Debug, Message = "{CheckId} service check {Name}={Status} tags=[{Tags}] message='{Message}'")]
    private static partial void LogServiceCheck(ILogger logger, string checkId, string name, ServiceCheckStatus status, string tags, string message);

    [LoggerMessage(EventId = EventIds.SenderEvent, Level = LogLevel.Information, Message = "{CheckId} event '{Title}' ({AlertType}) tags=[{Tags}]")]
    private static partial void LogEvent(ILogger logger, string checkId, string title, string alertType, string tags);

    [LoggerMessage(EventId = EventIds.SenderHistogramBucket, Level = LogLevel.Debug, Message = "{CheckId} histogram bucket {Name} [{Lower}, {Upper}]={Value} tags=[{Tags}]")]
    private static partial void LogBucket(ILogger logger, string checkId, string name, long value, double lower, double upper, string tags);

    [LoggerMessage(EventId = EventIds.SenderCheckLog, Level = LogLevel.Information, Message = "{CheckId} log {Line}")]
    private static partial void LogCheckLog(ILogger logger, string checkId, string line);

    [LoggerMessage(EventId = EventIds.SenderExternalTags, Level = LogLevel.Debug, Message = "{CheckId} external tags for host '{Hostname}' source {SourceType}: [{Tags}]")]
    private static partial void LogExternalTags(ILogger logger, string checkId, string hostname, string sourceType, string tags);

    [LoggerMessage(EventId = EventIds.SenderPlatformEvent, Level = LogLevel.Debug, Message = "{CheckId} event-platform event {EventType} ({Bytes} bytes)")]
    private static partial void LogPlatformEvent(ILogger logger, string checkId, string eventType, int bytes);

    [LoggerMessage(EventId = EventIds.SenderCommit, Level = LogLevel.Information, Message = "{CheckId} run {Outcome}: {Metrics} metrics, {ServiceChecks} service checks, {Events} events, {Buckets} histogram buckets")]
    private static partial void LogCommit(ILogger logger, string checkId, string outcome, int metrics, int serviceChecks, int events, int buckets);
}
