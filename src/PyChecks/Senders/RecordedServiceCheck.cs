namespace PyChecks;

/// <summary>A copy of a <see cref="ServiceCheckSample"/>.</summary>
public sealed record RecordedServiceCheck(string CheckId, string Name, ServiceCheckStatus Status, IReadOnlyList<string> Tags, string Hostname, string Message);
