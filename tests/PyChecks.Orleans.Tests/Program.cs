using PyChecks.Orleans.Tests.Hosts;

namespace PyChecks.Orleans.Tests;

/// <summary>Entry point when the test assembly runs as a cluster host (see <see cref="Infrastructure.HostProcess"/>).</summary>
public static class Program
{
    /// <summary>
    /// Runs <c>host &lt;arguments&gt;</c> (<see cref="ClusterTestHost"/>), or the failover measurement,
    /// <c>failover [--instances 1000,10000] [--repeat 3] [--interval 5]</c> (<see cref="Bench.FailoverMeasurement"/>).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["host", .. var rest])
        {
            return await ClusterTestHost.RunAsync(rest);
        }

        if (args is ["failover", .. var options])
        {
            return await Bench.FailoverMeasurement.RunAsync(options);
        }

        await Console.Error.WriteLineAsync("usage: PyChecks.Orleans.Tests host <arguments>  (run by the test suite), or: PyChecks.Orleans.Tests failover [--instances 1000,10000] [--repeat 3] [--interval 5]");
        return 2;
    }
}
