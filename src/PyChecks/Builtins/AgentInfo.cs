namespace PyChecks.Builtins;

/// <summary>What <c>datadog_agent</c> answers about the host; the host sets it from its options.</summary>
internal sealed class AgentInfo
{
    public required string Version { get; init; }

    public string Hostname { get; init; } = Environment.MachineName;

    public string ClusterName { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> HostTags { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The Agent configuration, defaults included, as <c>get_config</c> reads it (<see cref="AgentConfigLookup.Find"/>).</summary>
    public required IReadOnlyDictionary<string, object?> Config { get; init; }

    public string? PersistentCacheDirectory { get; init; }

    public DateTimeOffset ProcessStartTime { get; init; } = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public bool TracemallocEnabled { get; init; }
}
