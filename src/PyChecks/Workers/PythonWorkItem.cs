namespace PyChecks.Workers;

/// <summary>Work for a Python worker thread. <see cref="Execute"/> runs on the worker and must not throw.</summary>
internal abstract class PythonWorkItem
{
    /// <summary>Does the work, on a worker thread.</summary>
    public abstract void Execute();

    /// <summary>
    /// Whether a caller outside the workers waits for this item and is likely to post another right after (a host
    /// thread calling <c>RunAsync</c> in a loop): the worker then watches the queue a few microseconds before it
    /// sleeps, so that the next item needs no kernel wake-up.
    /// </summary>
    public virtual bool CallerWaits => false;
}
