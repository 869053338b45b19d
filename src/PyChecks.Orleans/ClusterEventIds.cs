namespace PyChecks.Orleans;

/// <summary>The event ids of cluster checks' logs (1301–1311): stable, listed in <c>docs/cluster.md</c>.</summary>
internal static class ClusterEventIds
{
    public const int Swept = 1301;
    public const int SweepFailed = 1302;
    public const int ConfigurationDiffers = 1303;
    public const int ConfigurationMatches = 1304;
    public const int Overlap = 1305;
    public const int PeerUnreachable = 1306;
    public const int ExchangeFailed = 1307;
    public const int Dropped = 1308;
    public const int HandedOver = 1309;
    public const int DroppedElsewhere = 1310;
    public const int UnknownActivation = 1311;
}
