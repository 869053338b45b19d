namespace PyChecks.Tool.Json;

/// <summary>What <c>pychecks check &lt;name&gt; --json</c> writes: one document, schema <c>pychecks-check/1</c> (docs/tool.md).</summary>
internal sealed record CheckCommandReport
{
    /// <summary>The schema's name and version; a change that breaks readers gets a new version.</summary>
    public string Schema { get; init; } = "pychecks-check/1";

    /// <summary>The check's name.</summary>
    public required string Check { get; init; }

    /// <summary>The Python the checks ran on; absent when none could start.</summary>
    public CheckCommandPython? Python { get; init; }

    /// <summary>Why Python or the host could not start; the command ran nothing.</summary>
    public string? Error { get; init; }

    /// <summary>No configuration names the check: where it looked, and the configured names close to it.</summary>
    public string? NotConfigured { get; init; }

    /// <summary>The instances that could not be configured or loaded, one message each.</summary>
    public required IReadOnlyList<string> NotLoaded { get; init; }

    /// <summary>Every run, in the order they ran.</summary>
    public required IReadOnlyList<CheckCommandRun> Runs { get; init; }

    /// <summary>The counts; absent when nothing ran.</summary>
    public CheckCommandSummary? Summary { get; init; }

    /// <summary>The command's exit code: 0 when every run succeeded, 1 otherwise.</summary>
    public required int ExitCode { get; init; }
}
