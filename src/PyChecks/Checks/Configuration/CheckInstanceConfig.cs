namespace PyChecks;

/// <summary>
/// One configured instance of a check with its reserved keys resolved: what the scheduler runs.
/// Built from a <see cref="CheckConfig"/>; the raw <see cref="Instance"/> still holds every key, reserved or not,
/// because the check sees the whole mapping.
/// </summary>
public sealed class CheckInstanceConfig
{
    internal CheckInstanceConfig(
        string checkName,
        string checkId,
        IReadOnlyDictionary<string, object?> initConfig,
        IReadOnlyDictionary<string, object?> instance,
        TimeSpan interval,
        IReadOnlyList<string> tags,
        string? service,
        string? instanceName,
        bool emptyDefaultHostname,
        string source,
        int? line)
    {
        CheckName = checkName;
        CheckId = checkId;
        InitConfig = initConfig;
        Instance = instance;
        Interval = interval;
        Tags = tags;
        Service = service;
        InstanceName = instanceName;
        EmptyDefaultHostname = emptyDefaultHostname;
        Source = source;
        Line = line;
    }

    /// <summary>The check's name (the Python module that implements it).</summary>
    public string CheckName { get; }

    /// <summary>
    /// <c>name:&lt;16 hex digits&gt;</c>, or <c>name:&lt;instance name&gt;:&lt;16 hex digits&gt;</c> when the instance has a
    /// <c>name</c>; the digest covers the instance and <c>init_config</c>, so it is stable across restarts and
    /// changes whenever any value does.
    /// </summary>
    public string CheckId { get; }

    /// <summary>The check's <c>init_config</c>, shared with its other instances.</summary>
    public IReadOnlyDictionary<string, object?> InitConfig { get; }

    /// <summary>The instance mapping as configured, reserved keys included.</summary>
    public IReadOnlyDictionary<string, object?> Instance { get; }

    /// <summary>How often to run: <c>min_collection_interval</c> seconds, 15 s when absent or 0.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// How long one run may take before the scheduler interrupts it: the instance's <c>run_timeout</c> seconds (a
    /// PyChecks key); <see langword="null"/> when absent, meaning <see cref="PyChecksOptions.RunTimeout"/> or else
    /// the <see cref="Interval"/>.
    /// </summary>
    public TimeSpan? RunTimeout { get; init; }

    /// <summary>
    /// Where this instance runs, from its reserved <c>isolation</c> key (<c>process</c> or <c>in_process</c>);
    /// <see langword="null"/> when absent, for <see cref="PyChecksOptions.IsolationByCheck"/> and <see cref="PyChecksOptions.Isolation"/> to decide.
    /// </summary>
    public CheckIsolation? Isolation { get; init; }

    /// <summary>
    /// Whether the instance is a cluster check: its file's top-level <c>cluster_check</c> or its own is <see langword="true"/>.
    /// Hosts that share a configuration in a cluster (<c>PyChecks.Orleans</c>) run each cluster check on one host at a
    /// time; without a cluster it runs here like any other instance.
    /// </summary>
    public bool ClusterCheck { get; init; }

    /// <summary>
    /// The instance's <c>tags</c> (its string items, in order; other items are dropped as Datadog drops them),
    /// then <c>service:&lt;service&gt;</c> when <see cref="Service"/> is set and not already among them.
    /// </summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>The instance's <c>service</c>; <see langword="null"/> when absent or empty.</summary>
    public string? Service { get; }

    /// <summary>The instance's <c>name</c>, which also appears in <see cref="CheckId"/>; <see langword="null"/> when absent or empty.</summary>
    public string? InstanceName { get; }

    /// <summary>The instance's <c>empty_default_hostname</c>: submit without a hostname unless the check names one.</summary>
    public bool EmptyDefaultHostname { get; }

    /// <summary>The file the instance was read from, or <c>"code"</c> (see <see cref="CheckConfig.Source"/>).</summary>
    public string Source { get; }

    /// <summary>The 1-based line of the instance in <see cref="Source"/>; <see langword="null"/> when not read from a file.</summary>
    public int? Line { get; }

    /// <summary>This instance with <paramref name="extra"/> after its tags (those a <see cref="CheckPlacement"/> adds); the same id.</summary>
    internal CheckInstanceConfig WithTags(IReadOnlyList<string> extra) =>
        extra.Count == 0
            ? this
            : new CheckInstanceConfig(CheckName, CheckId, InitConfig, Instance, Interval, [.. Tags, .. extra], Service, InstanceName, EmptyDefaultHostname, Source, Line)
            {
                RunTimeout = RunTimeout,
                Isolation = Isolation,
                ClusterCheck = ClusterCheck,
            };

    /// <summary>Returns <see cref="CheckId"/>.</summary>
    public override string ToString() => CheckId;
}
