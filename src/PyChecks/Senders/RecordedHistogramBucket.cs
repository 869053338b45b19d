namespace PyChecks;

/// <summary>A copy of a <see cref="HistogramBucketSample"/>.</summary>
public sealed record RecordedHistogramBucket(string CheckId, string Name, long Value, double LowerBound, double UpperBound, bool Monotonic, string Hostname, IReadOnlyList<string> Tags);
