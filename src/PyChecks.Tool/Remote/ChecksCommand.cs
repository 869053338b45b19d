using System.Globalization;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>checks</c>: every scheduled instance of a running host, its state and its last run (<c>GET /checks</c>).</summary>
internal static class ChecksCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var command = new ToolCommand("checks", "Lists the check instances a running host schedules: state, last outcome, last run, runs and errors, and the configuration's load errors.")
        {
            Summary = "a running host's check instances and their last runs",
            Epilogue = HostCommands.Epilogue,
        };
        host.AddTo(command);
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            var checks = await client.SendAsync(HttpMethod.Get, "checks", null, needsToken: false, cancellationToken).ConfigureAwait(false);
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, checks);
                return ExitCodes.Succeeded;
            }

            var rows = checks.Items("checks").Select(c => new[]
            {
                c.Text("checkId"),
                c.Text("state"),
                c.Text("lastOutcome"),
                c.Text("lastRunStartedAt", "-"),
                JsonFields.Duration(c.Number("lastRunDurationSeconds")),
                c.Count("totalRuns"),
                c.Count("totalErrors"),
                JsonFields.Duration(c.Number("intervalSeconds")),
            }).ToList();
            Listing.Table(console, string.Create(CultureInfo.InvariantCulture, $"Check instances ({rows.Count})"), ["CHECK ID", "STATE", "LAST OUTCOME", "LAST RUN", ">DURATION", ">RUNS", ">ERRORS", ">INTERVAL"], rows);
            foreach (var c in checks.Items("checks").Where(c => c.Text("lastError").Length > 0))
            {
                Listing.Verdict(console, $"{c.Text("checkId")}: {c.Text("lastError")}", good: false);
            }

            foreach (var error in checks.Items("loadErrors"))
            {
                Listing.Verdict(console, $"not loaded: {error.GetString()}", good: false);
            }

            return ExitCodes.Succeeded;
        });
        return command;
    }
}
