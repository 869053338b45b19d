namespace PyChecks.Tool.Remote;

/// <summary>
/// Where a host's control API puts its socket and token by default, by the same rule as <c>PyChecks.AspNetCore</c>:
/// <c>$XDG_RUNTIME_DIR/pychecks/&lt;application&gt;.sock</c> (and <c>.token</c>), or <c>~/.local/share/pychecks/run/…</c>
/// when that variable is unset or not a folder.
/// </summary>
internal static class HostDefaults
{
    /// <summary>The folder the host's defaults use, for the user running the tool.</summary>
    public static string Folder
    {
        get
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            return !string.IsNullOrEmpty(runtime) && Path.IsPathFullyQualified(runtime) && Directory.Exists(runtime)
                ? Path.Combine(runtime, "pychecks")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "pychecks", "run");
        }
    }

    /// <summary>The default socket of the application named <paramref name="application"/>, as the host names its file.</summary>
    public static string SocketOf(string application) => Path.Combine(Folder, FileName(application) + ".sock");

    /// <summary>The token file next to a socket named after an application: <c>X.sock</c> → <c>X.token</c>.</summary>
    public static string TokenBeside(string socketPath) => Path.ChangeExtension(socketPath, ".token");

    private static string FileName(string application) =>
        new([.. application.Select(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
}
