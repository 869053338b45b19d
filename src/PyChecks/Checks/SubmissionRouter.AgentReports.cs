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
    public AgentServices Services { get; private set; } = new();

    /// <summary>The instruments of <c>datadog_agent.emit_agent_telemetry</c>; null until the host starts.</summary>
    public CheckTelemetry? CheckTelemetry { get; private set; }

    public void UseServices(AgentServices services, CheckTelemetry telemetry)
    {
        Services = services;
        CheckTelemetry = telemetry;
    }

    public void Deliver(CheckLog log) => DeliverReport(log.CheckId, log, static (sender, report) => sender.SubmitLog(report));

    public void Deliver(ExternalHostTags tags) => DeliverReport(tags.CheckId, tags, static (sender, report) => sender.SetExternalTags(report));

    public void Deliver(EventPlatformEvent platformEvent) =>
        DeliverReport(platformEvent.CheckId, platformEvent, static (sender, report) => sender.SubmitEventPlatformEvent(report));

    // One loop for the reports that are objects and rare (no per-sample cost to save): a sender that throws is counted, the others still receive it.
    private void DeliverReport<T>(string checkId, T report, Action<ISender, T> submit)
    {
        foreach (var sender in Targets(checkId))
        {
            try
            {
                submit(sender, report);
            }
            catch (Exception e)
            {
                SenderFailed(sender, e);
            }
        }
    }

    /// <summary>Logs a value of <c>emit_agent_telemetry</c> that was not recorded, as the Agent does (it is not an error of the check's run).</summary>
    public void TelemetryRefused(string checkName, string metricName, string reason) => LogTelemetryRefused(Logger, checkName, metricName, reason);

    [LoggerMessage(EventId = EventIds.TelemetryRefused, Level = LogLevel.Warning, Message = "emit_agent_telemetry: {Metric} of check {Check} was not recorded: {Reason}")]
    private static partial void LogTelemetryRefused(ILogger logger, string check, string metric, string reason);
}
