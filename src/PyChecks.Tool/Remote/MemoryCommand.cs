using System.Text.Json;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Remote;

/// <summary><c>memory</c>: the host's memory tracker — native memory at the boundary and Python's heap (<c>GET /memory</c>).</summary>
internal static class MemoryCommand
{
    /// <summary>The command.</summary>
    public static ToolCommand Create(HostOptions host)
    {
        var command = new ToolCommand("memory", "Shows a running host's memory tracker: the native memory PyChecks allocated at the boundary with Python, and Python's heap.")
        {
            Summary = "a running host's memory tracker",
            Epilogue = HostCommands.Epilogue,
        };
        host.AddTo(command);
        command.Handler = (parse, console, cancellationToken) => host.RunAsync(parse, console, async (client, _) =>
        {
            var memory = await client.SendAsync(HttpMethod.Get, "memory", null, needsToken: false, cancellationToken).ConfigureAwait(false);
            if (host.Json(parse))
            {
                HostOptions.WriteJson(console, memory);
                return ExitCodes.Succeeded;
            }

            Listing.Fields(console, $"Memory at {memory.Text("timestamp")}", [.. Fields(memory, string.Empty)]);
            return ExitCodes.Succeeded;
        });
        return command;
    }

    // Every number of the snapshot, named by its path (native.inUseBytes), bytes made readable.
    private static IEnumerable<(string, string)> Fields(JsonElement json, string prefix)
    {
        foreach (var member in json.EnumerateObject())
        {
            string name = prefix + member.Name;
            if (member.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in Fields(member.Value, name + "."))
                {
                    yield return field;
                }
            }
            else if (member.Value.ValueKind == JsonValueKind.Number && member.Name.EndsWith("Bytes", StringComparison.Ordinal))
            {
                yield return (name, $"{JsonFields.Bytes(member.Value.GetDouble())} ({member.Value.GetRawText()})");
            }
            else if (name != "timestamp")
            {
                yield return (name, member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()! : member.Value.GetRawText());
            }
        }
    }
}
