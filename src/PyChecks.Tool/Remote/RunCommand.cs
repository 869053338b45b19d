using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary>
/// <c>run &lt;name&gt;</c>: a running host runs every configured instance of a check once, now, and answers what each
/// submitted (<c>POST /checks/{name}/run</c>); needs the token.
/// </summary>
internal static class RunCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "the check's name" };
        var command = new ToolCommand("run", """
            Makes a running host run every configured instance of check <name> once, now, with its own Python
            and configuration, and shows what each run submitted (which the host does not send to its senders).
            Needs the host's token.
            """)
        {
            Summary = "a running host runs a check now; show what it submitted",
            Epilogue = "Exit code: 0 when every run succeeded, 1 when a run failed, an instance could not be loaded or no\nconfiguration names the check, 3 when no host could be asked.",
            OneAtATime = "one check at a time",
        };
        command.Add(name);
        host.AddTo(command);
        HostCommands.Require(command, name, "which check? give its name, e.g. 'run hello'");
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            string check = parse.GetValue(name)!;
            var run = await client.SendAsync(HttpMethod.Post, $"checks/{Uri.EscapeDataString(check)}/run", "{}", needsToken: true, cancellationToken).ConfigureAwait(false);
            var instances = run.Items("instances").ToList();
            var errors = run.Items("errors").Select(e => e.GetString() ?? string.Empty).ToList();
            int succeeded = instances.Count(i => i.Flag("succeeded"));
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, run);
            }
            else
            {
                foreach (var instance in instances)
                {
                    Write(console, instance);
                }

                foreach (string error in errors)
                {
                    Listing.Verdict(console, $"Not loaded: {error}", good: false);
                }

                console.Out.WriteLine();
                Listing.Verdict(console, string.Create(CultureInfo.InvariantCulture,
                    $"{check}: {instances.Count} instance(s){(errors.Count > 0 ? $", {errors.Count} not loaded" : string.Empty)}: {succeeded} succeeded, {instances.Count - succeeded} failed"),
                    good: succeeded == instances.Count && errors.Count == 0);
            }

            return succeeded == instances.Count && errors.Count == 0 && instances.Count > 0 ? ExitCodes.Succeeded : ExitCodes.Failed;
        });
        return command;
    }

    private static void Write(ToolConsole console, JsonElement instance)
    {
        bool ok = instance.Flag("succeeded");
        string ended = ok ? "OK in" : instance.Flag("stuck") ? "STUCK after" : instance.Flag("interrupted") ? "INTERRUPTED in" : "FAILED in";
        console.Out.WriteLine();
        Listing.Verdict(console, $"=== {instance.Text("checkId")} ===", good: ok);
        Listing.Verdict(console, $"result  {ended} {JsonFields.Duration(instance.Number("durationSeconds"))}", good: ok);
        Section(console, "Metrics", instance, "metrics", ["NAME", "TYPE", ">VALUE", "TAGS", "HOSTNAME"],
            m => [m.Text("name"), m.Text("type"), m.Text("value"), m.Joined("tags"), m.Text("hostname")]);
        Section(console, "Service checks", instance, "serviceChecks", ["NAME", "STATUS", "TAGS", "HOSTNAME", "MESSAGE"],
            s => [s.Text("name"), s.Text("status").ToUpperInvariant(), s.Joined("tags"), s.Text("hostname"), s.Text("message").ReplaceLineEndings(" ")]);
        Section(console, "Events", instance, "events", ["TITLE", "ALERT TYPE", "PRIORITY", "SOURCE", "TAGS", "TEXT"],
            e => [e.Text("title"), e.Text("alertType"), e.Text("priority"), e.Text("sourceTypeName"), e.Joined("tags"), e.Text("text").ReplaceLineEndings(" ")]);
        Section(console, "Histogram buckets", instance, "histogramBuckets", ["NAME", ">LOWER", ">UPPER", ">COUNT", "TAGS"],
            b => [b.Text("name"), b.Text("lowerBound"), b.Text("upperBound"), b.Text("value"), b.Joined("tags")]);
        foreach (var warning in instance.Items("warnings"))
        {
            console.Out.WriteLine($"warning: {warning.GetString()?.ReplaceLineEndings(" ")}");
        }

        if (!ok)
        {
            Listing.Verdict(console, $"error: {instance.Text("error", "(no message)")}", good: false);
            foreach (string line in instance.Text("traceback").TrimEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                console.Out.WriteLine($"  {line}");
            }
        }
    }

    private static void Section(ToolConsole console, string title, JsonElement instance, string member, string[] headers, Func<JsonElement, string[]> row)
    {
        var rows = instance.Items(member).Select(row).ToList();
        if (rows.Count > 0 || member == "metrics")
        {
            Listing.Table(console, string.Create(CultureInfo.InvariantCulture, $"{title} ({rows.Count})"), headers, rows);
        }
    }
}
