using Microsoft.Extensions.Logging;

namespace PyChecks.Tool.Checks;

/// <summary>What <c>check &lt;name&gt;</c> was asked to do, once its options are parsed and checked.</summary>
internal sealed record CheckArguments
{
    /// <summary>The check's name.</summary>
    public required string Name { get; init; }

    /// <summary>The check configurations' folder, or <see langword="null"/> for the default.</summary>
    public string? ConfDir { get; init; }

    /// <summary>The check modules' folder, or <see langword="null"/> for the default.</summary>
    public string? ChecksDir { get; init; }

    /// <summary>A <c>datadog.yaml</c>-style file for <c>datadog_agent.get_config</c>.</summary>
    public string? AgentConfigFile { get; init; }

    /// <summary>The Python to use (a libpython or a python executable), or <see langword="null"/> to let discovery choose.</summary>
    public string? Python { get; init; }

    /// <summary>How many times each instance runs.</summary>
    public int Times { get; init; } = 1;

    /// <summary>The wait between two runs.</summary>
    public TimeSpan Pause { get; init; }

    /// <summary>Each run's timeout, or <see langword="null"/> for the instance's own.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The lowest level of the checks' logs shown on standard error.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Error;

    /// <summary>Write one JSON document instead of text.</summary>
    public bool Json { get; init; }
}
