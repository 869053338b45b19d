using Microsoft.Extensions.Logging;

namespace PyChecks.Builtins;

/// <summary>
/// Everything the built-in modules hand to, or ask of, their host: the way rtloader's modules know only the callbacks
/// the Agent sets. The host gives one to <see cref="BuiltinModules.Register"/>; each module reaches it through its
/// module state (<see cref="ModuleState"/>). Called with the GIL held, from any thread that runs Python.
/// </summary>
internal interface IBuiltinSink
{
    /// <summary>What <c>datadog_agent</c> answers about the host.</summary>
    AgentInfo Agent { get; }

    /// <summary>The host's answers to <c>tagger</c>, <c>containers</c> and <c>kubeutil</c>.</summary>
    AgentServices Services { get; }

    /// <summary>The instruments of <c>datadog_agent.emit_agent_telemetry</c>; null when the host records none.</summary>
    CheckTelemetry? CheckTelemetry { get; }

    /// <summary>Creates the loggers of Python's <c>logging</c> (<c>datadog_agent.log</c>).</summary>
    ILoggerFactory LoggerFactory { get; }

    /// <summary>The host's own log, for what the modules report about a call (a command that did not start).</summary>
    ILogger Logger { get; }

    /// <summary>The check a submission names: the running one when the id matches, else by id; null (the sample is dropped, and logged) for no loaded check.</summary>
    CheckRunContext? Resolve(string checkId);

    /// <summary>The loaded check with this id, or null; nothing is logged.</summary>
    CheckRunContext? Find(string checkId);

    void Deliver(in MetricSample sample);

    /// <summary>A sample of <paramref name="running"/>, the check this thread runs (<see cref="CheckRunContext.Current"/>): no lookup.</summary>
    void DeliverFromRunning(in MetricSample sample, CheckRunContext running);

    void Deliver(in ServiceCheckSample sample);

    void Deliver(in HistogramBucketSample sample);

    void Deliver(CheckEvent checkEvent);

    void Deliver(CheckLog log);

    void Deliver(ExternalHostTags tags);

    void Deliver(EventPlatformEvent platformEvent);

    /// <summary>Reports a tag given as bytes that are not UTF-8 (it was dropped); <paramref name="subject"/> names the sample.</summary>
    void TagNotUtf8(ReadOnlySpan<byte> tag, string subject);

    /// <summary>Reports a value of <c>emit_agent_telemetry</c> that was not recorded (not an error of the check's run).</summary>
    void TelemetryRefused(string checkName, string metricName, string reason);
}
