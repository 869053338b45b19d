using Microsoft.Extensions.Logging;
using PyChecks.Builtins;
using PyChecks.Telemetry;

namespace PyChecks.Checks;

/// <summary>
/// What checks report besides samples (log lines, external host tags, event-platform events, their own telemetry),
/// and the host services the <c>tagger</c>, <c>containers</c> and <c>kubeutil</c> modules answer from.
/// </summary>
internal sealed partial class SubmissionRouter
{
    /// <summary>The host's answers to <c>tagger</c>, <c>containers</c> and <c>kubeutil</c>.</summary>
    public AgentServices Services { get; }

    /// <summary>The instruments of <c>datadog_agent.emit_agent_telemetry</c>.</summary>
    public CheckTelemetry? CheckTelemetry { get; }

    public void Deliver(CheckLog log) => Deliver<CheckLog, Submit>(Targets(log.CheckId), log);

    public void Deliver(ExternalHostTags tags) => Deliver<ExternalHostTags, Submit>(Targets(tags.CheckId), tags);

    public void Deliver(EventPlatformEvent platformEvent) => Deliver<EventPlatformEvent, Submit>(Targets(platformEvent.CheckId), platformEvent);

    /// <summary>Logs a value of <c>emit_agent_telemetry</c> that was not recorded, as the Agent does (it is not an error of the check's run).</summary>
    public void TelemetryRefused(string checkName, string metricName, string reason) => LogTelemetryRefused(Logger, checkName, metricName, reason);

    [LoggerMessage(EventId = EventIds.TelemetryRefused, Level = LogLevel.Warning, Message = "emit_agent_telemetry: {Metric} of check {Check} was not recorded: {Reason}")]
    private static partial void LogTelemetryRefused(ILogger logger, string check, string metric, string reason);
}
