namespace PyChecks;

/// <summary>A copy of a <see cref="ServiceCheckSample"/>.</summary>
public sealed record RecordedServiceCheck
{
    // Only PyChecks creates these; hosts read them.
    internal RecordedServiceCheck()
    {
    }

    /// <summary>The submitting instance's check id (<see cref="ServiceCheckSample.CheckId"/>).</summary>
    public string CheckId { get; internal init; } = "";

    /// <summary>The service check's name (<see cref="ServiceCheckSample.Name"/>).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The status (<see cref="ServiceCheckSample.Status"/>).</summary>
    public ServiceCheckStatus Status { get; internal init; }

    /// <summary>A copy of the tags (<see cref="ServiceCheckSample.Tags"/>).</summary>
    public IReadOnlyList<string> Tags { get; internal init; } = [];

    /// <summary>The hostname (<see cref="ServiceCheckSample.Hostname"/>).</summary>
    public string Hostname { get; internal init; } = "";

    /// <summary>The message (<see cref="ServiceCheckSample.Message"/>).</summary>
    public string Message { get; internal init; } = "";
}
