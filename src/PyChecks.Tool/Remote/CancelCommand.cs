using System.CommandLine;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>cancel &lt;id&gt;</c>: interrupts an instance's run in progress (<c>POST /checks/{id}/cancel</c>); needs the token.</summary>
internal static class CancelCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var id = new Argument<string?>("id") { HelpName = "check id", Arity = ArgumentArity.ZeroOrOne, Description = "the instance's id, as 'pychecks checks' lists it" };
        var command = new ToolCommand("cancel", "Interrupts the run in progress of one check instance of a running host; the instance stays scheduled. Needs the host's token.")
        {
            Summary = "interrupt an instance's run in progress",
            Epilogue = "Exit code: 0 when the run was interrupted, or will be when it returns to Python (stuck in C code),\n1 when the instance has no run in progress or is unknown, 3 when no host could be asked.",
            OneAtATime = "one instance at a time",
        };
        command.Add(id);
        host.AddTo(command);
        HostCommands.Require(command, id, "which instance? give its id, as 'pychecks checks' lists it");
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            string checkId = parse.GetValue(id)!;
            var cancel = await client.SendAsync(HttpMethod.Post, $"checks/{Uri.EscapeDataString(checkId)}/cancel", "{}", needsToken: true, cancellationToken).ConfigureAwait(false);
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, cancel);
            }
            else if (cancel.Flag("cancelled"))
            {
                Listing.Verdict(console, $"{checkId}: its run was interrupted", good: true);
            }
            else
            {
                Listing.Verdict(console, $"{checkId}: pending: {cancel.Text("message")}", good: false);
            }

            return ExitCodes.Succeeded;
        });
        return command;
    }
}
