namespace PyChecks;

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
