namespace PyChecks;

/// <summary>One instance's run-once: its outcome and everything it submitted.</summary>
/// <param name="CheckId">The instance's check id.</param>
/// <param name="Result">The run's outcome.</param>
/// <param name="Metrics">The metrics it submitted.</param>
/// <param name="ServiceChecks">The service checks it submitted.</param>
/// <param name="Events">The events it submitted.</param>
/// <param name="HistogramBuckets">The histogram buckets it submitted.</param>
public sealed record CheckInstanceRun(
    string CheckId,
    CheckRunResult Result,
    IReadOnlyList<RecordedMetric> Metrics,
    IReadOnlyList<RecordedServiceCheck> ServiceChecks,
    IReadOnlyList<CheckEvent> Events,
    IReadOnlyList<RecordedHistogramBucket> HistogramBuckets)
{
    /// <summary>
    /// Whether the run did not return within its timeout and the grace period after the interrupt: it is blocked in C
    /// code and was left running; <see cref="Result"/> says so in its error, and holds what was submitted until then.
    /// </summary>
    public bool Stuck { get; init; }
}
