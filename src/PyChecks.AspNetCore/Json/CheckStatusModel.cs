namespace PyChecks.AspNetCore.Json;

/// <summary>One check instance's status: an item of <see cref="ChecksResponse"/>, and the body of <c>GET checks/{id}</c>.</summary>
internal sealed record CheckStatusModel
{
    public required string CheckId { get; init; }

    public required string CheckName { get; init; }

    public required string Version { get; init; }

    public required string Source { get; init; }

    public required string ConfigSource { get; init; }

    public required double IntervalSeconds { get; init; }

    public required double TimeoutSeconds { get; init; }

    public required string State { get; init; }

    // Written only when true (null is left out), as most records never have them.
    public bool? CancelPending { get; init; }

    public bool? StandInWorker { get; init; }

    // How long the last run waited for the GIL before it started, and the longest wait since the instance was loaded.
    public double? LastGilWaitSeconds { get; init; }

    public double? MaxGilWaitSeconds { get; init; }

    public required IReadOnlyList<string> LoadWarnings { get; init; }

    public DateTimeOffset? LastRunStartedAt { get; init; }

    public double? LastRunDurationSeconds { get; init; }

    public required string LastOutcome { get; init; }

    public string? LastError { get; init; }

    public string? LastTraceback { get; init; }

    public required IReadOnlyList<string> LastWarnings { get; init; }

    public int LastMetrics { get; init; }

    public int LastServiceChecks { get; init; }

    public int LastEvents { get; init; }

    public int LastHistogramBuckets { get; init; }

    public long TotalRuns { get; init; }

    public long TotalErrors { get; init; }

    public long TotalTimeouts { get; init; }

    public long TotalCancelled { get; init; }

    public long TotalSkipped { get; init; }
}
