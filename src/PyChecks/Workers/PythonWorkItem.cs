namespace PyChecks.Workers;

/// <summary>Work for a Python worker thread. <see cref="Execute"/> runs on the worker and must not throw.</summary>
internal abstract class PythonWorkItem
{
    /// <summary>Does the work, on a worker thread.</summary>
    public abstract void Execute();
}
