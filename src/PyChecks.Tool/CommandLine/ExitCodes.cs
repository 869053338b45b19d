namespace PyChecks.Tool.CommandLine;

/// <summary>The tool's exit codes, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked: every run succeeded, the host answered.</summary>
    public const int Succeeded = 0;

    /// <summary>A run failed, a check could not be loaded or is not configured, or the host refused the request.</summary>
    public const int Failed = 1;

    /// <summary>The arguments were wrong.</summary>
    public const int Usage = 2;

    /// <summary>No host could be asked: nothing listens at the socket, the token cannot be read, or the host runs another version.</summary>
    public const int NoHost = 3;
}
