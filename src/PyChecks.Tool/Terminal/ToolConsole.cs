using Spectre.Console;

namespace PyChecks.Tool.Terminal;

/// <summary>
/// Where a command writes: standard output and error as text, and, on a terminal, a Spectre.Console console for tables,
/// colours and progress. When the output is redirected the commands write plain lines instead (<see cref="Rich"/> is null),
/// which scripts and logs can read line by line.
/// </summary>
internal sealed class ToolConsole
{
    private ToolConsole(TextWriter output, TextWriter error, IAnsiConsole? rich)
    {
        Out = output;
        Error = error;
        Rich = rich;
    }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error: usage errors, logs, and what went wrong.</summary>
    public TextWriter Error { get; }

    /// <summary>The console for tables and progress when the output is a terminal; <see langword="null"/> for plain lines.</summary>
    public IAnsiConsole? Rich { get; }

    /// <summary>Plain lines on <paramref name="output"/>, whatever it is.</summary>
    public static ToolConsole Plain(TextWriter output, TextWriter error) => new(output, error, null);

    /// <summary>
    /// Tables and progress drawn by Spectre.Console on <paramref name="output"/>, a terminal; with colours unless
    /// <paramref name="color"/> is false, and cut to <paramref name="width"/> columns.
    /// </summary>
    public static ToolConsole Terminal(TextWriter output, TextWriter error, bool color, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = width;
        return new ToolConsole(output, error, console);
    }
}
