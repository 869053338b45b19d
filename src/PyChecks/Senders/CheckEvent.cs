namespace PyChecks;

/// <summary>An event a check submitted (<c>self.event({...})</c>); fields absent from the check's dict are empty.</summary>
public sealed class CheckEvent
{
    /// <summary>The submitting check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary><c>msg_title</c>.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary><c>msg_text</c>.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary><c>timestamp</c>, Unix seconds; 0 means "now", as in Datadog.</summary>
    public long Timestamp { get; init; }

    /// <summary><c>priority</c>: <c>normal</c> or <c>low</c>.</summary>
    public string Priority { get; init; } = string.Empty;

    /// <summary><c>host</c>.</summary>
    public string Host { get; init; } = string.Empty;

    /// <summary><c>alert_type</c>: <c>error</c>, <c>warning</c>, <c>info</c> or <c>success</c>.</summary>
    public string AlertType { get; init; } = string.Empty;

    /// <summary><c>aggregation_key</c>.</summary>
    public string AggregationKey { get; init; } = string.Empty;

    /// <summary><c>source_type_name</c>.</summary>
    public string SourceTypeName { get; init; } = string.Empty;

    /// <summary><c>event_type</c>.</summary>
    public string EventType { get; init; } = string.Empty;

    /// <summary>The event's tags, then the instance's configured tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
