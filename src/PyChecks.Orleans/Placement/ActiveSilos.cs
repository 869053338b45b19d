namespace PyChecks.Orleans.Placement;

/// <summary>The silos among which cluster checks are shared out: the active members of the cluster, as a host sees them.</summary>
internal static class ActiveSilos
{
    /// <summary>The active silos of <paramref name="snapshot"/>, in the snapshot's order.</summary>
    public static List<SiloAddress> Of(ClusterMembershipSnapshot snapshot) =>
        [.. snapshot.Members.Values.Where(static m => m.Status == SiloStatus.Active).Select(static m => m.SiloAddress)];
}
