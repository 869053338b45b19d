namespace PyChecks;

/// <summary>
/// The control API cannot start safely: its runtime folder is a symbolic link, belongs to another user or can be
/// written by others; its socket or token path is a link or a file that is not its own; or another host already serves
/// on the same socket or token file. Thrown when the host starts (or, for <c>MapPyChecks</c>, when the API is mapped),
/// before anything is written. The message is one line that says what is wrong and how to fix it.
/// </summary>
public sealed class ControlApiStartException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public ControlApiStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public ControlApiStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public ControlApiStartException()
        : base("the PyChecks control API cannot start safely")
    {
    }
}
