namespace PyChecks.AspNetCore.Json;

/// <summary>A profile task: an item of <see cref="ProfilesResponse"/>, and the body of <c>POST profiles</c>, <c>GET profiles/{id}</c> and <c>DELETE profiles/{id}</c>.</summary>
internal sealed record ProfileTaskModel
{
    public required string Id { get; init; }

    public required string CheckId { get; init; }

    public required string State { get; init; }

    public required double DurationSeconds { get; init; }

    public required double IntervalSeconds { get; init; }

    public required int MaxDepth { get; init; }

    public required double MinRunDurationSeconds { get; init; }

    public int? MaxRuns { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required int Runs { get; init; }

    public string? Message { get; init; }

    public required ProfileQualityModel Quality { get; init; }
}
