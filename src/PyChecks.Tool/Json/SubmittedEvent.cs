namespace PyChecks.Tool.Json;

/// <summary>An event a run submitted, as the control API's run-once answer writes it.</summary>
internal sealed record SubmittedEvent(string Title, string Text, long Timestamp, string Priority, string Host, string AlertType, string AggregationKey, string SourceTypeName, string EventType, IReadOnlyList<string> Tags);
