namespace PyChecks;

/// <summary>A copy of a <see cref="MetricSample"/>.</summary>
public sealed record RecordedMetric
{
    // Only PyChecks creates these; hosts read them.
    internal RecordedMetric()
    {
    }

    /// <summary>The submitting instance's check id (<see cref="MetricSample.CheckId"/>).</summary>
    public string CheckId { get; internal init; } = "";

    /// <summary>The metric's type (<see cref="MetricSample.Type"/>).</summary>
    public MetricType Type { get; internal init; }

    /// <summary>The metric's name (<see cref="MetricSample.Name"/>).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The value (<see cref="MetricSample.Value"/>).</summary>
    public double Value { get; internal init; }

    /// <summary>A copy of the tags (<see cref="MetricSample.Tags"/>).</summary>
    public IReadOnlyList<string> Tags { get; internal init; } = [];

    /// <summary>The hostname (<see cref="MetricSample.Hostname"/>).</summary>
    public string Hostname { get; internal init; } = "";

    /// <summary>Whether the first value of a monotonic count is flushed (<see cref="MetricSample.FlushFirstValue"/>).</summary>
    public bool FlushFirstValue { get; internal init; }
}
