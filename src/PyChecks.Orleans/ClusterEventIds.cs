namespace PyChecks.Orleans;

/// <summary>The event ids of cluster checks' logs (1301–1303): stable, listed in <c>docs/cluster.md</c>.</summary>
internal static class ClusterEventIds
{
    public const int Swept = 1301;
    public const int SweepFailed = 1302;
    public const int HandedOver = 1303;
}
