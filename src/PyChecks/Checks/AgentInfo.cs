namespace PyChecks.Checks;

/// <summary>What <c>datadog_agent</c> answers about the host; set from <see cref="PyChecksOptions"/>.</summary>
internal sealed class AgentInfo
{
    public string Version { get; init; } = PyChecksOptions.DefaultAgentVersion;

    public string Hostname { get; init; } = Environment.MachineName;

    public string ClusterName { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> HostTags { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The Agent configuration, defaults included (<see cref="AgentConfig.Snapshot"/>).</summary>
    public IReadOnlyDictionary<string, object?> Config { get; init; } = AgentConfig.Defaults;

    public string? PersistentCacheDirectory { get; init; }

    public DateTimeOffset ProcessStartTime { get; init; } = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public bool TracemallocEnabled { get; init; }
}
