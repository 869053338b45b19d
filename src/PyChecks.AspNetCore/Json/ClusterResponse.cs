namespace PyChecks.AspNetCore.Json;

/// <summary><c>GET /cluster</c>: the cluster this host shares its cluster checks with (see <see cref="ClusterStatus"/>).</summary>
internal sealed record ClusterResponse(
    string LocalMember,
    int ClusterInstances,
    string ConfigurationHash,
    bool ConfigurationMatches,
    long Moves,
    long Overlaps,
    IReadOnlyList<ClusterMemberModel> Members);
