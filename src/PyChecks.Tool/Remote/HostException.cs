using PyChecks.Tool.CommandLine;

namespace PyChecks.Tool.Remote;

/// <summary>A host that cannot be asked, or that refused: a message that says what happened and what to do, and the exit code.</summary>
internal sealed class HostException : Exception
{
    public HostException()
    {
    }

    public HostException(string message)
        : this(message, ExitCodes.NoHost)
    {
    }

    public HostException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.NoHost;
    }

    public HostException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary><see cref="ExitCodes.NoHost"/> when no host could be asked, <see cref="ExitCodes.Failed"/> when it refused.</summary>
    public int ExitCode { get; } = ExitCodes.NoHost;
}
