using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace PyChecks;

/// <summary>
/// What the Agent's built-in modules ask of the host beyond submissions: the <c>tagger</c>, <c>containers</c> and
/// <c>kubeutil</c> modules' answers, and the meter of <c>datadog_agent.emit_agent_telemetry</c>. Given to
/// <see cref="CheckHost.Start"/>; with dependency injection, registered services are used instead.
/// </summary>
[Experimental("PYCHECKS002")]
public sealed class AgentServices
{
    /// <summary>The tags of entities; by default none.</summary>
    public ITagger Tagger { get; init; } = EmptyAgentServices.Instance;

    /// <summary>Which containers are excluded; by default none.</summary>
    public IContainerFilter ContainerFilter { get; init; } = EmptyAgentServices.Instance;

    /// <summary>How to reach the kubelet; by default nothing is known.</summary>
    public IKubeletConnection Kubelet { get; init; } = EmptyAgentServices.Instance;

    /// <summary>Creates the <c>PyChecks</c> meter of the checks' own telemetry; when null, a meter is created directly.</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
