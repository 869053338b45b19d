namespace PyChecks.Orleans.Grains;

/// <summary>
/// One host of the cluster, keyed by its silo's address and active only on that silo: how the hosts compare their
/// configurations, look for instances running on two of them, and read each other's figures for the cluster's status.
/// </summary>
internal interface IClusterMemberGrain : IGrainWithStringKey
{
    /// <summary>Tells this member about the caller and asks about it: see <see cref="MemberQuery"/> and <see cref="MemberReport"/>.</summary>
    Task<MemberReport> Exchange(MemberQuery query);

    /// <summary>
    /// Tells this member that the host at <paramref name="address"/> (<see cref="SiloAddress.ToParsableString"/>) is
    /// leaving: it hands its cluster checks over, and none may go back to it.
    /// </summary>
    Task Leaving(string address);
}

/// <summary>What a host tells another: who it is, the hash of its configuration, and the instances that just arrived on it.</summary>
[GenerateSerializer]
[Immutable]
internal sealed record MemberQuery(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] string ConfigurationHash,
    [property: Id(3)] int ClusterInstances,
    [property: Id(4)] string[] Arrived);

/// <summary>A host's answer: its own figures, and which of the asker's new instances it runs too (an overlap).</summary>
[GenerateSerializer]
[Immutable]
internal sealed record MemberReport(
    [property: Id(0)] string Name,
    [property: Id(1)] string ConfigurationHash,
    [property: Id(2)] int ClusterInstances,
    [property: Id(3)] int Instances,
    [property: Id(4)] long Arrived,
    [property: Id(5)] long MovedAway,
    [property: Id(6)] long Overlaps,
    [property: Id(7)] DateTimeOffset? LastSweep,
    [property: Id(8)] string[] RunningToo);
