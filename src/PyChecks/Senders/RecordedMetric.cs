namespace PyChecks;

/// <summary>A copy of a <see cref="MetricSample"/>.</summary>
public sealed record RecordedMetric
{
    /// <summary>The submitting instance's check id (<see cref="MetricSample.CheckId"/>).</summary>
    public required string CheckId { get; init; }

    /// <summary>The metric's type (<see cref="MetricSample.Type"/>).</summary>
    public required MetricType Type { get; init; }

    /// <summary>The metric's name (<see cref="MetricSample.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>The value (<see cref="MetricSample.Value"/>).</summary>
    public required double Value { get; init; }

    /// <summary>A copy of the tags (<see cref="MetricSample.Tags"/>).</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The hostname (<see cref="MetricSample.Hostname"/>).</summary>
    public required string Hostname { get; init; }

    /// <summary>Whether the first value of a monotonic count is flushed (<see cref="MetricSample.FlushFirstValue"/>).</summary>
    public required bool FlushFirstValue { get; init; }
}
