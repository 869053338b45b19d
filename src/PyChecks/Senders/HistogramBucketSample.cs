namespace PyChecks;

/// <summary>
/// A histogram bucket a check submitted (OpenMetrics histograms). It lives only for the duration of the
/// <see cref="ISender.SubmitHistogramBucket"/> call.
/// </summary>
public readonly ref struct HistogramBucketSample
{
    /// <summary>The submitting check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The histogram's name.</summary>
    public required string Name { get; init; }

    /// <summary>The number of values in the bucket.</summary>
    public required long Value { get; init; }

    /// <summary>The bucket's lower bound.</summary>
    public required double LowerBound { get; init; }

    /// <summary>The bucket's upper bound.</summary>
    public required double UpperBound { get; init; }

    /// <summary>Whether <see cref="Value"/> is a cumulative counter.</summary>
    public required bool Monotonic { get; init; }

    /// <summary>The host name; empty for the default host.</summary>
    public required string Hostname { get; init; }

    /// <summary>The tags the check gave, then the instance's configured tags.</summary>
    public required ReadOnlySpan<string> Tags { get; init; }
}
