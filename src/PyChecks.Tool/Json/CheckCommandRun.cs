namespace PyChecks.Tool.Json;

/// <summary>One run of one instance, in <see cref="CheckCommandReport"/>: how it ended and what it submitted.</summary>
internal sealed record CheckCommandRun
{
    /// <summary>The instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>Which run of the instance this is, from 1.</summary>
    public required int Run { get; init; }

    /// <summary><c>ok</c>, <c>error</c>, <c>timeout</c>, <c>stuck</c> or <c>interrupted</c>.</summary>
    public required string Outcome { get; init; }

    /// <summary>Whether the run succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The error, when the run failed.</summary>
    public string? Error { get; init; }

    /// <summary>The Python traceback, when the check raised.</summary>
    public string? Traceback { get; init; }

    /// <summary>The warnings the run reported.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>The timeout it ran under.</summary>
    public required double TimeoutSeconds { get; init; }

    /// <summary>The metrics it submitted.</summary>
    public required IReadOnlyList<SubmittedMetric> Metrics { get; init; }

    /// <summary>The service checks it submitted.</summary>
    public required IReadOnlyList<SubmittedServiceCheck> ServiceChecks { get; init; }

    /// <summary>The events it submitted.</summary>
    public required IReadOnlyList<SubmittedEvent> Events { get; init; }

    /// <summary>The histogram buckets it submitted.</summary>
    public required IReadOnlyList<SubmittedHistogramBucket> HistogramBuckets { get; init; }
}
