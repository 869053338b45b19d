namespace PyChecks.Tool.Json;

/// <summary>A histogram bucket a run submitted, as the control API's run-once answer writes it.</summary>
internal sealed record SubmittedHistogramBucket(string Name, long Value, double LowerBound, double UpperBound, bool Monotonic, IReadOnlyList<string> Tags, string Hostname);
