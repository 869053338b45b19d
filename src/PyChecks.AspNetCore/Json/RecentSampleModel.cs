namespace PyChecks.AspNetCore.Json;

/// <summary>A kept metric or service check, in <see cref="RecentResponse"/>.</summary>
internal sealed record RecentSampleModel
{
    public required string Kind { get; init; }

    public required string CheckId { get; init; }

    public required string CheckName { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Type { get; init; }

    public double? Value { get; init; }

    public string? Status { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required string Hostname { get; init; }
}
