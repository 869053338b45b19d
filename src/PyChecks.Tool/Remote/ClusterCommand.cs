using System.Globalization;
using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>cluster</c>: the cluster a running host shares its cluster checks with: members, instances, moves, overlaps (<c>GET /cluster</c>).</summary>
internal static class ClusterCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var command = new ToolCommand("cluster", "Shows the cluster a running host shares its cluster checks with (PyChecks.Orleans): each member's state and instances, moves and overlaps, and whether every member reads the same configuration.")
        {
            Summary = "the cluster a running host shares its checks with",
            Epilogue = HostCommands.Epilogue + "\nA host that is not in a cluster answers 404 not_clustered: exit code 1.",
        };
        host.AddTo(command);
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            var cluster = await client.SendAsync(HttpMethod.Get, "cluster", null, needsToken: false, cancellationToken).ConfigureAwait(false);
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, cluster);
                return ExitCodes.Succeeded;
            }

            Write(console, cluster);
            return ExitCodes.Succeeded;
        });
        return command;
    }

    /// <summary>One line for <c>status</c>: members, instances per member, configuration, moves, overlaps.</summary>
    public static string Summary(JsonElement cluster)
    {
        var members = cluster.Items("members").ToList();
        string shares = string.Join(" / ", members.Select(m => m.TryGetProperty("instances", out var n) ? n.GetRawText() : "?"));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{members.Count} member(s), {cluster.Count("clusterInstances")} cluster instances ({shares}); configuration {(cluster.Flag("configurationMatches") ? "matches" : "DIFFERS")}; {cluster.Count("moves")} moves, {cluster.Count("overlaps")} overlaps");
    }

    private static void Write(ToolConsole console, JsonElement cluster)
    {
        var members = cluster.Items("members").ToList();
        var rows = members.Select(m => new[]
        {
            m.Text("name") + (m.Flag("local") ? " (this host)" : string.Empty),
            m.Text("address"),
            m.Text("state"),
            m.TryGetProperty("instances", out _) ? m.Count("instances") : "-",
            m.Text("configurationHash", "-"),
            m.TryGetProperty("arrived", out _) ? m.Count("arrived") : "-",
            m.TryGetProperty("movedAway", out _) ? m.Count("movedAway") : "-",
            m.TryGetProperty("overlaps", out _) ? m.Count("overlaps") : "-",
            m.Text("lastSweep", "-"),
        }).ToList();
        Listing.Table(console, string.Create(CultureInfo.InvariantCulture, $"Cluster members ({rows.Count}), {cluster.Count("clusterInstances")} cluster instances"), ["MEMBER", "ADDRESS", "STATE", ">INSTANCES", "CONFIGURATION", ">ARRIVED", ">MOVED AWAY", ">OVERLAPS", "LAST SWEEP"], rows);
        Listing.Verdict(console, cluster.Flag("configurationMatches") ? $"every member reads the same configuration ({cluster.Text("configurationHash")})" : $"members read different configurations: this host's is {cluster.Text("configurationHash")}", cluster.Flag("configurationMatches"));
        foreach (var m in members.Where(m => m.Text("error").Length > 0))
        {
            Listing.Verdict(console, $"{m.Text("name")}: {m.Text("error")}", good: false);
        }
    }
}
