namespace PyChecks.Checks.Isolation;

/// <summary>
/// The entry point of a worker process: the host starts its own copy of this assembly with
/// <c>dotnet exec PyChecks.dll --pychecks-worker &lt;socket&gt;</c>, so the package needs no second executable.
/// </summary>
internal static class WorkerEntryPoint
{
    /// <summary>The first argument that makes this assembly a worker process.</summary>
    public const string WorkerSwitch = "--pychecks-worker";

    private static int Main(string[] args)
    {
        if (args is [WorkerSwitch, string socketPath])
        {
            return WorkerMain.Run(socketPath);
        }

        Console.Error.WriteLine($"PyChecks.dll is a library. It runs as a program only as a worker process that a PyChecks host starts ({WorkerSwitch} <socket>).");
        return 2;
    }
}
