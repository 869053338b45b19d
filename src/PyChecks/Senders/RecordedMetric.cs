namespace PyChecks;

/// <summary>A copy of a <see cref="MetricSample"/>.</summary>
public sealed record RecordedMetric(string CheckId, MetricType Type, string Name, double Value, IReadOnlyList<string> Tags, string Hostname, bool FlushFirstValue);
