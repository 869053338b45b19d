namespace PyChecks;

/// <summary>
/// An event for one of Datadog's event-platform tracks (<c>aggregator.submit_event_platform_event</c>): Database
/// Monitoring samples, metrics, activity and metadata (<c>dbm-samples</c>, <c>dbm-metrics</c>, <c>dbm-activity</c>,
/// <c>dbm-metadata</c>) and the like. The payload is passed on as the check serialized it.
/// </summary>
public sealed class EventPlatformEvent
{
    /// <summary>The submitting check instance's id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The track, for example <c>dbm-samples</c>.</summary>
    public required string EventType { get; init; }

    /// <summary>The raw event: the UTF-8 bytes of what the check gave (a JSON document for the Datadog toolkit's events).</summary>
    public required ReadOnlyMemory<byte> RawEvent { get; init; }
}
