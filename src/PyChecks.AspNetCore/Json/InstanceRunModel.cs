namespace PyChecks.AspNetCore.Json;

/// <summary>One instance's run in <see cref="RunResponse"/>, with what it submitted.</summary>
internal sealed record InstanceRunModel
{
    public required string CheckId { get; init; }

    public required bool Succeeded { get; init; }

    public string? Error { get; init; }

    public string? Traceback { get; init; }

    public bool Interrupted { get; init; }

    // Written only when true: the run was left behind, blocked in C code.
    public bool? Stuck { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public double DurationSeconds { get; init; }

    public required IReadOnlyList<MetricModel> Metrics { get; init; }

    public required IReadOnlyList<ServiceCheckModel> ServiceChecks { get; init; }

    public required IReadOnlyList<EventModel> Events { get; init; }

    public required IReadOnlyList<HistogramBucketModel> HistogramBuckets { get; init; }
}
