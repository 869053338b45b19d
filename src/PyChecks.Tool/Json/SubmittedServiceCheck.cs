namespace PyChecks.Tool.Json;

/// <summary>A service check a run submitted, as the control API's run-once answer writes it.</summary>
internal sealed record SubmittedServiceCheck(string Name, string Status, string Message, IReadOnlyList<string> Tags, string Hostname);
