namespace PyChecks.Tool.Json;

/// <summary>A metric a run submitted, as the control API's run-once answer writes it.</summary>
internal sealed record SubmittedMetric(string Name, string Type, double Value, IReadOnlyList<string> Tags, string Hostname);
