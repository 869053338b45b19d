using System.Globalization;
using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>status</c>: the host's PyChecks version, process, Python, scheduler counts and memory (<c>GET /status</c>).</summary>
internal static class StatusCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var command = new ToolCommand("status", "Shows a running host: its PyChecks version, process and uptime, its Python, the scheduler's counts, memory and worker processes.")
        {
            Summary = "a running host: version, Python, scheduler, memory",
            Epilogue = HostCommands.Epilogue,
        };
        host.AddTo(command);
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, status) =>
        {
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, status);
            }
            else
            {
                Write(console, client.Endpoint, status, await ClusterAsync(client, cancellationToken).ConfigureAwait(false));
            }

            return ExitCodes.Succeeded;
        });
        return command;
    }

    // The cluster line: absent when the host is in no cluster (404), or its answer is not to be had.
    private static async Task<string?> ClusterAsync(HostClient client, CancellationToken cancellationToken)
    {
        try
        {
            return ClusterCommand.Summary(await client.SendAsync(HttpMethod.Get, "cluster", null, needsToken: false, cancellationToken).ConfigureAwait(false));
        }
        catch (HostException)
        {
            return null;
        }
    }

    private static void Write(ToolConsole console, HostEndpoint endpoint, JsonElement status, string? cluster)
    {
        var python = status.GetProperty("python");
        var scheduler = status.GetProperty("scheduler");
        var fields = new List<(string, string)>
        {
            ("host", string.Create(CultureInfo.InvariantCulture, $"PyChecks {status.Text("version")}, pid {status.Count("processId")}, up {JsonFields.Duration(status.Number("uptimeSeconds"))} (since {status.Text("startedAt")})")),
            ("control API", endpoint.ToString()),
            ("python", $"{python.Text("version")} ({python.Text("implementation")}) from {python.Text("libraryPath")}, found by {python.Text("foundBy")}"),
            ("scheduler", $"{(scheduler.Flag("enabled") ? "enabled" : "disabled")}: {scheduler.Count("checks")} checks, {scheduler.Count("instances")} instances, {scheduler.Count("running")} running, {scheduler.Count("stuck")} stuck"),
        };
        if (status.TryGetProperty("memory", out var memory))
        {
            string python_ = memory.Number("pythonAllocatedBlocks") is { } blocks
                ? string.Create(CultureInfo.InvariantCulture, $"; Python: {blocks:0} blocks allocated")
                : string.Empty;
            fields.Add(("memory", $"{JsonFields.Bytes(memory.Number("nativeInUseBytes"))} native in use ({memory.Count("nativeAllocations")} allocations){python_}"));
        }

        foreach (var worker in status.Items("workers"))
        {
            string state = worker.TryGetProperty("processId", out _)
                ? $"pid {worker.Count("processId")}, Python {worker.Text("pythonVersion")}, {JsonFields.Bytes(worker.Number("residentBytes"))} resident"
                : "not running";
            fields.Add(($"worker {worker.Count("slot")}", $"{state}; {worker.Count("checks")} checks, {worker.Count("runs")} runs, {worker.Count("restarts")} restarts"));
        }

        if (cluster is not null)
        {
            fields.Add(("cluster", cluster));
        }

        var loadErrors = scheduler.Items("loadErrors").Select(e => e.GetString() ?? string.Empty).ToList();
        fields.Add(("load errors", loadErrors.Count == 0 ? "none" : loadErrors.Count.ToString(CultureInfo.InvariantCulture)));
        Listing.Fields(console, null, fields);
        foreach (string error in loadErrors)
        {
            Listing.Verdict(console, $"  {error}", good: false);
        }
    }
}
