namespace PyChecks;

/// <summary>A copy of a <see cref="HistogramBucketSample"/>.</summary>
public sealed record RecordedHistogramBucket
{
    // Only PyChecks creates these; hosts read them.
    internal RecordedHistogramBucket()
    {
    }

    /// <summary>The submitting instance's check id (<see cref="HistogramBucketSample.CheckId"/>).</summary>
    public string CheckId { get; internal init; } = "";

    /// <summary>The histogram's name (<see cref="HistogramBucketSample.Name"/>).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The bucket's count (<see cref="HistogramBucketSample.Value"/>).</summary>
    public long Value { get; internal init; }

    /// <summary>The bucket's lower bound (<see cref="HistogramBucketSample.LowerBound"/>).</summary>
    public double LowerBound { get; internal init; }

    /// <summary>The bucket's upper bound (<see cref="HistogramBucketSample.UpperBound"/>).</summary>
    public double UpperBound { get; internal init; }

    /// <summary>Whether the count is monotonic (<see cref="HistogramBucketSample.Monotonic"/>).</summary>
    public bool Monotonic { get; internal init; }

    /// <summary>The hostname (<see cref="HistogramBucketSample.Hostname"/>).</summary>
    public string Hostname { get; internal init; } = "";

    /// <summary>A copy of the tags (<see cref="HistogramBucketSample.Tags"/>).</summary>
    public IReadOnlyList<string> Tags { get; internal init; } = [];
}
