namespace PyChecks.AspNetCore.Recent;

/// <summary>A copy of a metric or service check, with when it arrived.</summary>
internal sealed class RecentSample
{
    public long Sequence { get; set; }

    public required RecentSampleKind Kind { get; init; }

    public required string CheckId { get; init; }

    public required string CheckName { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public MetricType? MetricType { get; init; }

    public double? Value { get; init; }

    public ServiceCheckStatus? Status { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required string Hostname { get; init; }
}
