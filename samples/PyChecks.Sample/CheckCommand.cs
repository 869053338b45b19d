using PyChecks.Tool.Checks;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Sample;

/// <summary>
/// <c>check &lt;name&gt;</c>: the <c>pychecks check</c> command (<c>PyChecks.Tool</c>), with the sample's checks.d and
/// conf.d as its defaults and its code-configured check added.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Every run of every instance succeeded.</summary>
    public const int ExitSucceeded = Tool.Checks.CheckCommand.ExitSucceeded;

    /// <summary>A run failed, an instance could not be loaded or configured, or the check has no configuration.</summary>
    public const int ExitFailed = Tool.Checks.CheckCommand.ExitFailed;

    /// <summary>The arguments were wrong.</summary>
    public const int ExitUsage = Tool.Checks.CheckCommand.ExitUsage;

    /// <summary>Runs the command, in plain lines.</summary>
    /// <param name="args">The arguments after <c>check</c>.</param>
    /// <param name="output">Where the results go.</param>
    /// <param name="error">Where usage errors and logs go.</param>
    /// <param name="configure">Sets the defaults (directories, checks configured in code) before the arguments apply.</param>
    /// <param name="cancellationToken">Interrupts the running check (Ctrl+C); no further run starts.</param>
    /// <returns>The process exit code: <see cref="ExitSucceeded"/>, <see cref="ExitFailed"/> or <see cref="ExitUsage"/>.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<PyChecksOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var root = ToolCommandLine.Root("The PyChecks sample: its checks on a schedule, or one check once with 'check <name>'.");
        root.Add(Tool.Checks.CheckCommand.Create(new CheckDefaults("the sample's conf.d", "the sample's checks.d", configure)));
        return ToolCommandLine.InvokeAsync(root, "PyChecks.Sample", ["check", .. args], ToolTerminal.Redirected(output, error), cancellationToken);
    }
}
