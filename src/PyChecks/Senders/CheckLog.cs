namespace PyChecks;

/// <summary>A log line a check sent (<c>datadog_agent.send_log(log_line, check_id)</c>), kept as the check wrote it.</summary>
public sealed class CheckLog
{
    /// <summary>The check instance id the check gave.</summary>
    public required string CheckId { get; init; }

    /// <summary>The log line; Datadog's toolkit sends a JSON object (<c>message</c>, <c>timestamp</c>, attributes).</summary>
    public required string Message { get; init; }
}
