using PyChecks.Orleans.Tests.Hosts;

namespace PyChecks.Orleans.Tests;

/// <summary>Entry point when the test assembly runs as a cluster host (see <see cref="Infrastructure.HostProcess"/>).</summary>
public static class Program
{
    /// <summary>Runs <c>host &lt;arguments&gt;</c> (<see cref="ClusterTestHost"/>).</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["host", .. var rest])
        {
            return await ClusterTestHost.RunAsync(rest);
        }

        await Console.Error.WriteLineAsync("usage: PyChecks.Orleans.Tests host <arguments>  (run by the test suite, not by hand)");
        return 2;
    }
}
