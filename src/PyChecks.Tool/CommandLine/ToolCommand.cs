using System.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.CommandLine;

/// <summary>A command of the tool: a System.CommandLine command with what its usage text adds and the code it runs.</summary>
internal sealed class ToolCommand(string name, string description) : Command(name, description)
{
    /// <summary>The command in a few words, for the list of commands.</summary>
    public string? Summary { get; init; }

    /// <summary>Said after the options in the usage text: exit codes, what Ctrl+C does.</summary>
    public string? Epilogue { get; init; }

    /// <summary>What a second argument is refused with, e.g. <c>one check at a time</c>.</summary>
    public string? OneAtATime { get; init; }

    /// <summary>Runs the parsed command; returns the exit code.</summary>
    public Func<ParseResult, ToolConsole, CancellationToken, Task<int>>? Handler { get; set; }
}
