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
