namespace PyChecks.Orleans;

/// <summary>
/// Options of cluster checks (<c>siloBuilder.AddPyChecksCluster(…)</c>): which configured instances the hosts of the
/// cluster share out, and how often each host makes sure its share is running.
/// </summary>
public sealed class ClusterCheckOptions
{
    /// <summary>The configuration section the options bind from: <c>PyChecks:Cluster</c>.</summary>
    public const string SectionName = "PyChecks:Cluster";

    /// <summary>
    /// Checks all of whose instances are cluster checks, by check name. An instance is a cluster check too when its
    /// configuration has <c>cluster_check: true</c> (at the top of its file, as the Datadog Agent reads it, or in the
    /// instance). Every other instance runs on every host, as without a cluster.
    /// </summary>
    public ISet<string> CheckNames { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// How often each host makes sure that the instances that fall to it are active, besides at every change of the
    /// cluster's membership (a host joining, leaving or declared dead): the safety net when a change was missed.
    /// Default 30 s.
    /// </summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many instances a host activates or moves at a time during a sweep. Default 64.</summary>
    public int SweepConcurrency { get; set; } = 64;

    /// <summary>
    /// The tag that names, on every sample of a cluster check, the host that ran it: <c>&lt;HostTagName&gt;:&lt;silo name&gt;</c>
    /// (Orleans' <c>SiloOptions.SiloName</c>; Orleans' Kubernetes hosting sets it to the pod's name). Default
    /// <c>pychecks_host</c>; <see langword="null"/> or empty adds no tag.
    /// </summary>
    public string? HostTagName { get; set; } = "pychecks_host";

    /// <summary>
    /// How long a host waits for a grain call to another host: a sweep's (a call that does not answer in time is tried
    /// again by a sweep a second later, instead of waiting for Orleans' response timeout), an exchange comparing
    /// configurations and looking for overlaps, and the control API's <c>GET /cluster</c>. Default 5 s.
    /// </summary>
    public TimeSpan PeerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At a graceful stop, how long each instance handed over keeps running on the stopping host: its migration carries
    /// that cut, and the host it goes to runs it from its first beat after it, so that no beat runs on both, and none is
    /// missed when the migrations take less than this. The stop lasts this much longer. Beats are compared on each
    /// host's UTC clock: a skew between hosts shifts the cut by as much. Zero releases each instance as its migration
    /// starts (it then runs from its first beat after its arrival, missing the beat that falls during its migration).
    /// Moves to a joining host release at once. Default 2 s; less than 10 s.
    /// </summary>
    public TimeSpan HandOffLead { get; set; } = TimeSpan.FromSeconds(2);
}
