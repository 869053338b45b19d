namespace PyChecks;

/// <summary>
/// A metric a check submitted. It lives only for the duration of the <see cref="ISender.SubmitMetric"/>
/// call: <see cref="Tags"/> points into a buffer that is reused, so copy what you keep
/// (<c>sample.Tags.ToArray()</c>). Strings are cached and may be shared between samples.
/// </summary>
public readonly ref struct MetricSample
{
    /// <summary>The submitting check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The metric kind.</summary>
    public required MetricType Type { get; init; }

    /// <summary>The metric name, with the check's namespace prefix if any.</summary>
    public required string Name { get; init; }

    /// <summary>The value.</summary>
    public required double Value { get; init; }

    /// <summary>The tags the check gave, then the instance's configured tags (<c>tags</c>, <c>service:…</c>).</summary>
    public required ReadOnlySpan<string> Tags { get; init; }

    /// <summary>The host name; empty for the default host.</summary>
    public required string Hostname { get; init; }

    /// <summary>For monotonic counts: whether the first value seen is reported as an increase.</summary>
    public bool FlushFirstValue { get; init; }
}
