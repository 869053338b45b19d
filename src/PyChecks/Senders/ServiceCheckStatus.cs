namespace PyChecks;

/// <summary>The status of a service check; the values are Datadog's (<c>AgentCheck.OK</c> is 0, …).</summary>
public enum ServiceCheckStatus
{
    /// <summary>The service is fine.</summary>
    Ok = 0,

    /// <summary>The service is degraded.</summary>
    Warning = 1,

    /// <summary>The service is down.</summary>
    Critical = 2,

    /// <summary>The status could not be determined.</summary>
    Unknown = 3,
}
