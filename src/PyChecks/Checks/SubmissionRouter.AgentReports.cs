using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks.Checks;

/// <summary>
/// What checks report besides samples (log lines, external host tags, event-platform events, their own telemetry),
/// and the host services the <c>tagger</c>, <c>containers</c> and <c>kubeutil</c> modules answer from.
/// </summary>
internal sealed partial class SubmissionRouter
{
    /// <summary>The host's answers to <c>tagger</c>, <c>containers</c> and <c>kubeutil</c>.</summary>
    public AgentServices Services { get; private set; } = new();

    /// <summary>The instruments of <c>datadog_agent.emit_agent_telemetry</c>; null until the host starts.</summary>
    public CheckTelemetry? CheckTelemetry { get; private set; }

    public void UseServices(AgentServices services, CheckTelemetry telemetry)
    {
        Services = services;
        CheckTelemetry = telemetry;
    }

    public void Deliver(CheckLog log)
    {
        foreach (var sender in Targets(log.CheckId))
        {
            try
            {
                sender.SubmitLog(log);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    public void Deliver(ExternalHostTags tags)
    {
        foreach (var sender in Targets(tags.CheckId))
        {
            try
            {
                sender.SetExternalTags(tags);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    public void Deliver(EventPlatformEvent platformEvent)
    {
        foreach (var sender in Targets(platformEvent.CheckId))
        {
            try
            {
                sender.SubmitEventPlatformEvent(platformEvent);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    /// <summary>Logs a value of <c>emit_agent_telemetry</c> that was not recorded, as the Agent does (it is not an error of the check's run).</summary>
    public void TelemetryRefused(string checkName, string metricName, string reason) => LogTelemetryRefused(Logger, checkName, metricName, reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "emit_agent_telemetry: {Metric} of check {Check} was not recorded: {Reason}")]
    private static partial void LogTelemetryRefused(ILogger logger, string check, string metric, string reason);
}
