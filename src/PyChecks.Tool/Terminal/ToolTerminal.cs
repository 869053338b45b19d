namespace PyChecks.Tool.Terminal;

/// <summary>What the process writes to, and whether its output is a terminal; the console is made from it once the options are parsed.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="IsTerminal">Whether standard output is a terminal (tables, colours, progress), rather than a file or a pipe (plain lines).</param>
/// <param name="Width">The terminal's width in columns.</param>
internal sealed record ToolTerminal(TextWriter Out, TextWriter Error, bool IsTerminal, int Width = 120)
{
    /// <summary>The process's own standard output and error.</summary>
    public static ToolTerminal Process() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected, Console.IsOutputRedirected ? 120 : Math.Max(Console.WindowWidth, 40));

    /// <summary>Plain lines, whatever the output is (the sample's check command, and scripts that capture the output).</summary>
    public static ToolTerminal Redirected(TextWriter output, TextWriter error) => new(output, error, IsTerminal: false);

    /// <summary>
    /// The console for a command: plain lines when the output is not a terminal; otherwise tables and progress, in colour
    /// unless <paramref name="noColor"/> is set or the <c>NO_COLOR</c> environment variable is (https://no-color.org).
    /// </summary>
    public ToolConsole ConsoleFor(bool noColor) => IsTerminal
        ? ToolConsole.Terminal(Out, Error, color: !noColor && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")), Width)
        : ToolConsole.Plain(Out, Error);
}
