using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace PyChecks;

/// <summary>A profile task as it was when asked: its request (with defaults applied), its state and its quality so far.</summary>
[Experimental("PYCHECKS001")]
public sealed record ProfileTask
{
    /// <summary>The task's id.</summary>
    public required string Id { get; init; }

    /// <summary>The id of the profiled check instance.</summary>
    public required string CheckId { get; init; }

    /// <summary>Where the task is in its life.</summary>
    public required ProfileTaskState State { get; init; }

    /// <summary>How long the task runs at most, from when it starts running.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The time between samples (each actual interval is jittered by ±10 %).</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>The most frames kept per sample, innermost first.</summary>
    public required int MaxDepth { get; init; }

    /// <summary>How long a run must have lasted before it is sampled.</summary>
    public required TimeSpan MinRunDuration { get; init; }

    /// <summary>The most runs profiled, or <see langword="null"/> for no limit.</summary>
    public required int? MaxRuns { get; init; }

    /// <summary>When the task was accepted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the task started running.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the task ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Runs of the check that were attached to the task (dispatched while it ran).</summary>
    public required int Runs { get; init; }

    /// <summary>Whether the task is still pending or running.</summary>
    public bool IsActive => State is ProfileTaskState.Pending or ProfileTaskState.Running;

    /// <summary>How the sampling went.</summary>
    public required ProfileQuality Quality { get; init; }

    /// <summary>
    /// Why the task ended, or what to know about its result (for instance that the check never ran while it was
    /// active, so it has no samples); <see langword="null"/> while it runs normally.
    /// </summary>
    public string? Message { get; init; }

    /// <summary>
    /// Writes the task as one JSON object: <c>id</c>, <c>checkId</c>, <c>state</c> (lower case), the request
    /// (<c>durationMs</c>, <c>intervalMs</c>, <c>maxDepth</c>, <c>minRunDurationMs</c>, <c>maxRuns</c> when set), the times
    /// (ISO 8601), <c>runs</c>, <c>message</c> when set, and <c>quality</c> (times in microseconds). The shape PyChecks' JSON
    /// result embeds, for APIs to reuse.
    /// </summary>
    /// <param name="json">Where to write.</param>
    public void WriteJson(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("checkId", CheckId);
        json.WriteString("state", State.ToString().ToLowerInvariant());
        json.WriteNumber("durationMs", (long)Duration.TotalMilliseconds);
        json.WriteNumber("intervalMs", (long)Interval.TotalMilliseconds);
        json.WriteNumber("maxDepth", MaxDepth);
        json.WriteNumber("minRunDurationMs", (long)MinRunDuration.TotalMilliseconds);
        if (MaxRuns is { } maxRuns)
        {
            json.WriteNumber("maxRuns", maxRuns);
        }

        json.WriteString("createdAt", CreatedAt);
        if (StartedAt is { } started)
        {
            json.WriteString("startedAt", started);
        }

        if (EndedAt is { } ended)
        {
            json.WriteString("endedAt", ended);
        }

        json.WriteNumber("runs", Runs);
        if (Message is { } message)
        {
            json.WriteString("message", message);
        }

        var q = Quality;
        json.WriteStartObject("quality");
        json.WriteNumber("samples", q.Samples);
        json.WriteNumber("truncatedSamples", q.TruncatedSamples);
        json.WriteNumber("sampledMicros", (long)(q.SampledTime.Ticks / 10));
        json.WriteNumber("requestedHz", Math.Round(q.RequestedHz, 2));
        json.WriteNumber("achievedHz", Math.Round(q.AchievedHz, 2));
        json.WriteNumber("gilWaitP50Micros", Math.Round(q.GilWaitP50.TotalMicroseconds, 1));
        json.WriteNumber("gilWaitP99Micros", Math.Round(q.GilWaitP99.TotalMicroseconds, 1));
        json.WriteNumber("holdP50Micros", Math.Round(q.HoldP50.TotalMicroseconds, 1));
        json.WriteNumber("holdP99Micros", Math.Round(q.HoldP99.TotalMicroseconds, 1));
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
