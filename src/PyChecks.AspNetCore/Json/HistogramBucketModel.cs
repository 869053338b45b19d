namespace PyChecks.AspNetCore.Json;

/// <summary>A histogram bucket submitted by a run, in <see cref="InstanceRunModel"/>.</summary>
internal sealed record HistogramBucketModel(string Name, long Value, double LowerBound, double UpperBound, bool Monotonic, IReadOnlyList<string> Tags, string Hostname);
