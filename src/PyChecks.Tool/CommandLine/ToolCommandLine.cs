using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using PyChecks.Tool.Checks;
using PyChecks.Tool.Discovery;
using PyChecks.Tool.Remote;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.CommandLine;

/// <summary>
/// The <c>pychecks</c> command line: its commands, and how a command line becomes an exit code — the usage text for
/// <c>--help</c>, one line naming the problem (then the usage) for wrong arguments, else the command's own code.
/// </summary>
internal static class ToolCommandLine
{
    /// <summary>The name the tool is installed under.</summary>
    public const string Program = "pychecks";

    /// <summary>The tool's version: the PyChecks it is built with.</summary>
    public static string Version { get; } = typeof(ToolCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>Every command but the root's own options, as <c>pychecks</c> has them.</summary>
    public static RootCommand Create()
    {
        var root = Root("""
            Runs Python checks as PyChecks hosts them, shows which Python it would use, and asks a running
            PyChecks host for its status, runs, reloads and profiles over its control API.
            """);
        root.Add(CheckCommand.Create(CheckDefaults.CurrentFolder));
        root.Add(PythonCommand.Create());
        foreach (var command in HostCommands.Create())
        {
            root.Add(command);
        }

        return root;
    }

    /// <summary>Runs <paramref name="args"/> against the tool's commands.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, ToolTerminal terminal, CancellationToken cancellationToken = default) =>
        InvokeAsync(Create(), Program, args, terminal, cancellationToken);

    /// <summary>A root command with the options every command takes: <c>--no-color</c> and <c>-h, --help</c>.</summary>
    public static RootCommand Root(string description)
    {
        var root = new RootCommand(description);
        foreach (var option in root.Options.Where(o => o is VersionOption).ToList())
        {
            root.Options.Remove(option);
        }

        root.Options.OfType<HelpOption>().Single().Description = "show this text";
        root.Add(NoColor);
        return root;
    }

    /// <summary>Parses <paramref name="args"/> against <paramref name="root"/> (named <paramref name="program"/> in usage texts) and runs what they ask.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string program, IReadOnlyList<string> args, ToolTerminal terminal, CancellationToken cancellationToken)
    {
        var parse = root.Parse(args);
        var help = root.Options.OfType<HelpOption>().Single();
        if (parse.GetResult(help) is not null)
        {
            await terminal.Out.WriteAsync(CommandUsage.Render(parse.CommandResult, program)).ConfigureAwait(false);
            return ExitCodes.Succeeded;
        }

        if (args is ["--version"])
        {
            await terminal.Out.WriteLineAsync(Version).ConfigureAwait(false);
            return ExitCodes.Succeeded;
        }

        if (parse.Errors.Count > 0 || parse.CommandResult.Command is not ToolCommand { Handler: { } handler })
        {
            string problem = parse.Errors.Count > 0 ? UsageProblem.Describe(parse) : "give a command";
            await terminal.Error.WriteLineAsync($"error: {problem}\n").ConfigureAwait(false);
            await terminal.Error.WriteLineAsync(CommandUsage.Render(parse.CommandResult, program)).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await handler(parse, terminal.ConsoleFor(parse.GetValue(NoColor)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>--no-color</c>: tables and progress without colours (plain lines need none).</summary>
    private static Option<bool> NoColor { get; } = new("--no-color")
    {
        Description = "no colours on a terminal (or set NO_COLOR)",
        Recursive = true,
    };
}
