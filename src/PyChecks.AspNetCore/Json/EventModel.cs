namespace PyChecks.AspNetCore.Json;

/// <summary>An event submitted by a run, in <see cref="InstanceRunModel"/>.</summary>
internal sealed record EventModel(string Title, string Text, long Timestamp, string Priority, string Host, string AlertType, string AggregationKey, string SourceTypeName, string EventType, IReadOnlyList<string> Tags);
