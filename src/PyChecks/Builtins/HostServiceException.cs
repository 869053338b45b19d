namespace PyChecks.Builtins;

/// <summary>
/// An Agent service of the host failed a worker's call: raised in the worker with the host exception's type name and
/// message, so that the check sees the same Python error it would see in process.
/// </summary>
internal sealed class HostServiceException(string hostType, string message) : Exception(message)
{
    /// <summary>The name of the type of the exception the host's service threw.</summary>
    public string HostType => hostType;
}
