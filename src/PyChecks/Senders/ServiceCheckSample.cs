namespace PyChecks;

/// <summary>
/// A service check a check submitted. Like <see cref="MetricSample"/>, it lives only for the duration of
/// the <see cref="ISender.SubmitServiceCheck"/> call.
/// </summary>
public readonly ref struct ServiceCheckSample
{
    /// <summary>The submitting check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The service check name.</summary>
    public required string Name { get; init; }

    /// <summary>The status.</summary>
    public required ServiceCheckStatus Status { get; init; }

    /// <summary>The tags the check gave, then the instance's configured tags.</summary>
    public required ReadOnlySpan<string> Tags { get; init; }

    /// <summary>The host name; empty for the default host.</summary>
    public required string Hostname { get; init; }

    /// <summary>A message explaining the status; empty when none.</summary>
    public required string Message { get; init; }
}
