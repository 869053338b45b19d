namespace PyChecks.AspNetCore.Json;

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
