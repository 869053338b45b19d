using System.Globalization;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>reload</c>: the host reads its configuration again (<c>POST /reload</c>); needs the token.</summary>
internal static class ReloadCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var command = new ToolCommand("reload", "Makes a running host read its check configuration again, and shows the instances added, removed and replaced. Needs the host's token.")
        {
            Summary = "a running host reads its configuration again",
            Epilogue = "Exit code: 0 when the configuration reloaded without errors, 1 when some instances could not be\nloaded (the others are), 3 when no host could be asked.",
        };
        host.AddTo(command);
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            var reload = await client.SendAsync(HttpMethod.Post, "reload", "{}", needsToken: true, cancellationToken).ConfigureAwait(false);
            var errors = reload.Items("errors").Select(e => e.GetString() ?? string.Empty).ToList();
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, reload);
            }
            else
            {
                Listing.Fields(console, "Reloaded", [
                    ("added", Or(reload.Joined("added"))),
                    ("removed", Or(reload.Joined("removed"))),
                    ("replaced", Or(reload.Joined("replaced"))),
                    ("unchanged", reload.Count("unchanged")),
                    ("errors", errors.Count.ToString(CultureInfo.InvariantCulture)),
                ]);
                foreach (string error in errors)
                {
                    Listing.Verdict(console, $"  {error}", good: false);
                }
            }

            return errors.Count == 0 ? ExitCodes.Succeeded : ExitCodes.Failed;
        });
        return command;
    }

    private static string Or(string list) => list.Length == 0 ? "none" : list;
}
