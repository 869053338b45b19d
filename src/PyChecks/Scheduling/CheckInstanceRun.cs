using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>One instance's run-once: its outcome and everything it submitted.</summary>
public sealed record CheckInstanceRun
{
    // The scheduler builds it positionally; hosts read it by name.
    [SetsRequiredMembers]
    internal CheckInstanceRun(
        string checkId,
        CheckRunResult result,
        IReadOnlyList<RecordedMetric> metrics,
        IReadOnlyList<RecordedServiceCheck> serviceChecks,
        IReadOnlyList<CheckEvent> events,
        IReadOnlyList<RecordedHistogramBucket> histogramBuckets)
    {
        CheckId = checkId;
        Result = result;
        Metrics = metrics;
        ServiceChecks = serviceChecks;
        Events = events;
        HistogramBuckets = histogramBuckets;
    }

    /// <summary>The instance's check id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The run's outcome.</summary>
    public required CheckRunResult Result { get; init; }

    /// <summary>The metrics it submitted.</summary>
    public required IReadOnlyList<RecordedMetric> Metrics { get; init; }

    /// <summary>The service checks it submitted.</summary>
    public required IReadOnlyList<RecordedServiceCheck> ServiceChecks { get; init; }

    /// <summary>The events it submitted.</summary>
    public required IReadOnlyList<CheckEvent> Events { get; init; }

    /// <summary>The histogram buckets it submitted.</summary>
    public required IReadOnlyList<RecordedHistogramBucket> HistogramBuckets { get; init; }

    /// <summary>
    /// Whether the run did not return within its timeout and the grace period after the interrupt: it is blocked in C
    /// code and was left running; <see cref="Result"/> says so in its error, and holds what was submitted until then.
    /// </summary>
    public bool Stuck { get; init; }
}
