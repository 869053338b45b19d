using Microsoft.Extensions.DependencyInjection;
using PyChecks.Tests.Infrastructure;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tests.Tool;

/// <summary>The pychecks tool run in this process as the installed command runs it, its output captured; and a host for it to ask.</summary>
internal static class ToolRun
{
    /// <summary>Runs <c>pychecks &lt;args&gt;</c> with its output redirected (plain lines).</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args) => Run(args, CancellationToken.None);

    /// <summary>Runs <c>pychecks &lt;args&gt;</c> with its output redirected, <paramref name="cancellationToken"/> standing for Ctrl+C.</summary>
    public static (int Exit, string Output, string Error) Run(string[] args, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = ToolCommandLine.RunAsync(args, ToolTerminal.Redirected(output, error), cancellationToken).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>pychecks &lt;args&gt;</c> as on a terminal 160 columns wide (Spectre.Console's tables and colours).</summary>
    public static (int Exit, string Output, string Error) OnTerminal(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = ToolCommandLine.RunAsync(args, new ToolTerminal(output, error, IsTerminal: true, Width: 160)).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Starts a host on <paramref name="folder"/> on the real clock, with the control API on <c>api.sock</c> and its token in
    /// <c>api.token</c> of the folder, as a host configured with those paths does; returns it and the socket.
    /// </summary>
    public static (HostedChecks Host, string Socket) StartHost(CheckFolder folder, Action<PyChecksOptions>? configure = null)
    {
        string socket = Path.Combine(folder.Root, "api.sock");
        var hosted = HostedChecks.Start(folder, configure, fakeTime: false, services: s => s.AddPyChecksLocalApi(o =>
        {
            o.UnixSocketPath = socket;
            o.TokenFilePath = Path.Combine(folder.Root, "api.token");
        }));
        return (hosted, socket);
    }
}
