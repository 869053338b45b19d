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

/// <summary>A member in <see cref="ClusterResponse"/> (see <see cref="ClusterMemberStatus"/>).</summary>
internal sealed record ClusterMemberModel(
    string Name,
    string Address,
    string State,
    bool Local,
    string? Error,
    int? Instances,
    string? ConfigurationHash,
    long? Arrived,
    long? MovedAway,
    long? Overlaps,
    DateTimeOffset? LastSweep);
