namespace PyChecks;

/// <summary>
/// The state of a cluster of hosts that share their cluster checks (<see cref="CheckPlacement.GetClusterStatusAsync"/>),
/// as one host sees it: the members, how many instances each runs, the moves and overlaps so far, and whether every
/// member reads the same configuration.
/// </summary>
public sealed class ClusterStatus
{
    /// <summary>The name of the host that answered (one of <see cref="Members"/>).</summary>
    public required string LocalMember { get; init; }

    /// <summary>How many configured instances are cluster checks, on the answering host.</summary>
    public required int ClusterInstances { get; init; }

    /// <summary>The hash of the answering host's cluster checks: equal on hosts that read the same configuration.</summary>
    public required string ConfigurationHash { get; init; }

    /// <summary>Whether every member that answered has <see cref="ConfigurationHash"/>.</summary>
    public required bool ConfigurationMatches { get; init; }

    /// <summary>Instances moved from one member to another so far, summed over the members that answered.</summary>
    public required long Moves { get; init; }

    /// <summary>
    /// Times an instance was found running on two members at once, summed over the members that answered; each member
    /// counts those it started while another still ran them.
    /// </summary>
    public required long Overlaps { get; init; }

    /// <summary>The members of the cluster that are not dead, the answering host among them.</summary>
    public required IReadOnlyList<ClusterMemberStatus> Members { get; init; }
}

/// <summary>One member of a cluster (<see cref="ClusterStatus.Members"/>).</summary>
public sealed class ClusterMemberStatus
{
    /// <summary>The member's name (the host's name in the cluster).</summary>
    public required string Name { get; init; }

    /// <summary>The member's address in the cluster.</summary>
    public required string Address { get; init; }

    /// <summary>The member's state in the cluster: <c>active</c>, <c>joining</c>, <c>shutting_down</c>, …</summary>
    public required string State { get; init; }

    /// <summary>Whether this is the host that answered.</summary>
    public bool IsLocal { get; init; }

    /// <summary>Why the member's own figures are missing (it did not answer in time, or failed); <see langword="null"/> when it answered.</summary>
    public string? Error { get; init; }

    /// <summary>The cluster check instances the member runs now; <see langword="null"/> when it did not answer.</summary>
    public int? Instances { get; init; }

    /// <summary>The hash of the member's cluster checks; <see langword="null"/> when it did not answer.</summary>
    public string? ConfigurationHash { get; init; }

    /// <summary>Instances that started running on the member since it started; <see langword="null"/> when it did not answer.</summary>
    public long? Arrived { get; init; }

    /// <summary>Instances that left the member for another since it started; <see langword="null"/> when it did not answer.</summary>
    public long? MovedAway { get; init; }

    /// <summary>Overlaps the member found (see <see cref="ClusterStatus.Overlaps"/>); <see langword="null"/> when it did not answer.</summary>
    public long? Overlaps { get; init; }

    /// <summary>When the member last made sure of its share of the instances; <see langword="null"/> when it did not answer or has not yet.</summary>
    public DateTimeOffset? LastSweep { get; init; }
}
