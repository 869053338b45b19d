namespace PyChecks;

/// <summary>A copy of a <see cref="ServiceCheckSample"/>.</summary>
public sealed record RecordedServiceCheck
{
    /// <summary>The submitting instance's check id (<see cref="ServiceCheckSample.CheckId"/>).</summary>
    public required string CheckId { get; init; }

    /// <summary>The service check's name (<see cref="ServiceCheckSample.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>The status (<see cref="ServiceCheckSample.Status"/>).</summary>
    public required ServiceCheckStatus Status { get; init; }

    /// <summary>A copy of the tags (<see cref="ServiceCheckSample.Tags"/>).</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>The hostname (<see cref="ServiceCheckSample.Hostname"/>).</summary>
    public required string Hostname { get; init; }

    /// <summary>The message (<see cref="ServiceCheckSample.Message"/>).</summary>
    public required string Message { get; init; }
}
