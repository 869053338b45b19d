namespace PyChecks.AspNetCore.Listener;

/// <summary>Where the control API puts its socket and token by default: a folder only the host's user can enter.</summary>
internal static class RuntimeDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary><c>$XDG_RUNTIME_DIR/pychecks</c>, or <c>~/.local/share/pychecks/run</c> when that variable is unset or not a folder.</summary>
    public static string Default
    {
        get
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (!string.IsNullOrEmpty(runtime) && Path.IsPathFullyQualified(runtime) && Directory.Exists(runtime))
            {
                return Path.Combine(runtime, "pychecks");
            }

            // Not /tmp: another user could create the folder there first and read what is put in it.
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "pychecks", "run");
        }
    }

    /// <summary>The default path of a file named after the application, e.g. <c>…/PyChecks.Sample.sock</c>.</summary>
    public static string DefaultFile(string? applicationName, string extension)
    {
        string name = string.IsNullOrWhiteSpace(applicationName) ? "pychecks" : new string([.. applicationName.Select(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
        return Path.Combine(Default, name + extension);
    }

    /// <summary>Creates the folder of <paramref name="file"/> with mode 0700 if missing; the default folder is made 0700 even if it exists.</summary>
    public static void EnsureParent(string file)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (folder is null || OperatingSystem.IsWindows())
        {
            return;
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, OwnerOnly);
        }
        else if (string.Equals(folder, Default, StringComparison.Ordinal))
        {
            File.SetUnixFileMode(folder, OwnerOnly);
        }
    }
}
