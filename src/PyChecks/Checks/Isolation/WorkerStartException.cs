namespace PyChecks.Checks.Isolation;

/// <summary>A worker process could not be started: the message says how far it came, with its last lines on stderr.</summary>
internal sealed class WorkerStartException : Exception
{
    public WorkerStartException(string message)
        : base(message)
    {
    }

    public WorkerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
