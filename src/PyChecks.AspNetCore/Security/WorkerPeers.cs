using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.AspNetCore.Security;

/// <summary>
/// Tells whether a request on the Unix socket comes from a worker process of <see cref="CheckIsolation.Process"/> mode
/// (or a process it started): checks that run there are kept off the control API, whatever they read.
/// </summary>
internal static class WorkerPeers
{
    private const int MaxAncestry = 64;

    /// <summary>Whether the peer of <paramref name="context"/>'s connection is one of <paramref name="workers"/> or descends from one.</summary>
    public static bool IsWorker(HttpContext context, IReadOnlyList<WorkerProcessStatus> workers)
    {
        if (workers.Count == 0 || context.Features.Get<IConnectionSocketFeature>()?.Socket is not { AddressFamily: AddressFamily.Unix } socket)
        {
            return false;
        }

        var pids = workers.Where(static w => w.ProcessId is not null).Select(static w => w.ProcessId!.Value).ToHashSet();
        int? pid = ListenerSocket.PeerPid(socket);
        for (int depth = 0; pid is int current && current > 1 && current != Environment.ProcessId && depth < MaxAncestry; depth++)
        {
            if (pids.Contains(current))
            {
                return true;
            }

            pid = ParentOf(current);
        }

        return false;
    }

    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
    private static int? ParentOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
