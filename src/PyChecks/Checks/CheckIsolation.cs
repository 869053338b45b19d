namespace PyChecks;

/// <summary>Where a Python check runs.</summary>
public enum CheckIsolation
{
    /// <summary>In the host's own process, on its Python worker threads: the fastest, and the default.</summary>
    InProcess,

    /// <summary>
    /// In a worker process that PyChecks starts (see <see cref="PyChecksOptions.WorkerProcesses"/>): a crash of the
    /// check's native code ends that worker only, and each worker has its own GIL, so Python uses every core.
    /// </summary>
    Process,
}
