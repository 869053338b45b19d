namespace PyChecks;

/// <summary>A copy of a <see cref="HistogramBucketSample"/>.</summary>
public sealed record RecordedHistogramBucket
{
    /// <summary>The submitting instance's check id (<see cref="HistogramBucketSample.CheckId"/>).</summary>
    public required string CheckId { get; init; }

    /// <summary>The histogram's name (<see cref="HistogramBucketSample.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>The bucket's count (<see cref="HistogramBucketSample.Value"/>).</summary>
    public required long Value { get; init; }

    /// <summary>The bucket's lower bound (<see cref="HistogramBucketSample.LowerBound"/>).</summary>
    public required double LowerBound { get; init; }

    /// <summary>The bucket's upper bound (<see cref="HistogramBucketSample.UpperBound"/>).</summary>
    public required double UpperBound { get; init; }

    /// <summary>Whether the count is monotonic (<see cref="HistogramBucketSample.Monotonic"/>).</summary>
    public required bool Monotonic { get; init; }

    /// <summary>The hostname (<see cref="HistogramBucketSample.Hostname"/>).</summary>
    public required string Hostname { get; init; }

    /// <summary>A copy of the tags (<see cref="HistogramBucketSample.Tags"/>).</summary>
    public required IReadOnlyList<string> Tags { get; init; }
}
