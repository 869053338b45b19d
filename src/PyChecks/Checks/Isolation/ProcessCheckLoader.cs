using System.Diagnostics.CodeAnalysis;

namespace PyChecks.Checks.Isolation;

/// <summary>Loads Python checks into worker processes (the instances whose isolation is <see cref="CheckIsolation.Process"/>).</summary>
internal sealed class ProcessCheckLoader(WorkerProcessPool pool) : ICheckLoader
{
    public string Name => "python (worker process)";

    public bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason)
    {
        if (pool.TryLoad(config, out var loaded, out reason))
        {
            check = loaded!;
            return true;
        }

        check = null;
        reason ??= "it could not be loaded into a worker process";
        return false;
    }
}
