namespace PyChecks;

/// <summary>How PyChecks finds, configures and runs checks.</summary>
public sealed class PyChecksOptions
{
    /// <summary>The value <c>datadog_agent.get_version()</c> returns unless <see cref="AgentVersion"/> is set.</summary>
    public const string DefaultAgentVersion = "7.0.0";

    /// <summary>The folder of check modules (<c>checks.d</c>), put on <c>sys.path</c>. Optional.</summary>
    public string? ChecksDirectory { get; set; }

    /// <summary>Checks configured in code, in addition to those of <see cref="ConfigDirectory"/>.</summary>
    public IList<CheckConfig> Checks { get; } = [];

    /// <summary>The folder of check configurations (<c>conf.d</c>): <c>&lt;check&gt;.yaml</c> or <c>&lt;check&gt;.d/*.yaml</c>. Optional.</summary>
    public string? ConfigDirectory { get; set; }

    /// <summary>Where Python is and how to start it.</summary>
    public PythonRuntimeOptions Python { get; set; } = new();

    /// <summary>
    /// When the real <c>datadog_checks.base</c> (or the legacy <c>checks</c>) package cannot be imported,
    /// make <c>from datadog_checks.base import AgentCheck</c> and <c>from checks import AgentCheck</c> resolve to
    /// PyChecks' own, so Datadog custom checks run unmodified. Default: on.
    /// </summary>
    public bool DatadogImportAliases { get; set; } = true;

    /// <summary>What <c>datadog_agent.get_version()</c> returns. Default: <see cref="DefaultAgentVersion"/>.</summary>
    public string AgentVersion { get; set; } = DefaultAgentVersion;

    /// <summary>What <c>datadog_agent.get_hostname()</c> returns. Default: the machine name.</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>What <c>datadog_agent.get_clustername()</c> returns. Default: empty.</summary>
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>What <c>datadog_agent.get_host_tags()</c> returns, as JSON: source → tags (e.g. <c>"system" → ["env:prod"]</c>).</summary>
    public IDictionary<string, IReadOnlyList<string>> HostTags { get; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>What <c>datadog_agent.get_config(key)</c> returns for each key (missing keys give <c>None</c>).</summary>
    public IDictionary<string, object?> AgentConfig { get; } = new Dictionary<string, object?>();

    /// <summary>The folder of the checks' persistent cache (<c>write_persistent_cache</c>). Default: <c>~/.local/share/pychecks/cache</c>.</summary>
    public string? PersistentCacheDirectory { get; set; }

    /// <summary>
    /// Datadog's <c>tracemalloc_enabled</c>: start Python's <c>tracemalloc</c> with the interpreter, make
    /// <c>datadog_agent.tracemalloc_enabled()</c> return <see langword="true"/>, and record each run's Python memory delta
    /// in <see cref="CheckRunResult.PythonMemoryDelta"/>. Tracing slows every Python allocation (see docs/memory.md for the
    /// measured cost), so it is for investigating a check, not for production. Default: off.
    /// </summary>
    public bool TracemallocEnabled { get; set; }
}
