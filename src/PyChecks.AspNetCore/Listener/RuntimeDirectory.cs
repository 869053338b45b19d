namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// Where the control API puts its socket, token and lock files: a folder that is the host user's own. A folder that is
/// a symbolic link, belongs to another user or that others can write is refused, never repaired: whoever controls it
/// could have planted a token or a socket there, or could swap files under the host.
/// </summary>
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

    /// <summary>
    /// Creates the folder of <paramref name="file"/> with mode 0700 if missing, and checks that it (created now or
    /// found) is a real folder, owned by this user, that nobody else can write.
    /// </summary>
    /// <exception cref="ControlApiStartException">The folder is not safe to use; the message says why and what to do.</exception>
    public static void PrepareFolderOf(string file, string role)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (folder is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        var status = Posix.LStat(folder);
        if (status is null)
        {
            try
            {
                Directory.CreateDirectory(folder, OwnerOnly);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ControlApiStartException($"The folder {folder} for the control API's {role} cannot be created: {e.Message}", e);
            }

            status = Posix.LStat(folder);
        }

        Check(folder, role, status);
    }

    /// <summary>Refuses a file the host is about to write or bind over when it is a link, or exists and is not this user's.</summary>
    /// <returns>The file's status, or <see langword="null"/> when there is none.</returns>
    public static FileStatus? CheckOwnFile(string path, string role, string option)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var status = Posix.LStat(path);
        if (status is { Kind: FileKind.SymbolicLink })
        {
            throw new ControlApiStartException($"The control API's {role} path {path} is a symbolic link (to {LinkTarget(path)}); PyChecks never follows a link there: remove it, or set {option} to another path.");
        }

        if (status is { } found && found.OwnerId != Posix.EffectiveUserId)
        {
            throw new ControlApiStartException($"The control API's {role} path {path} is taken by a file of uid {found.OwnerId}, not of this user (uid {Posix.EffectiveUserId}); PyChecks does not replace another user's file: remove it, or set {option} to another path.");
        }

        return status;
    }

    private static void Check(string folder, string role, FileStatus? status)
    {
        switch (status)
        {
            case null:
                throw new ControlApiStartException($"The folder {folder} for the control API's {role} disappeared while it was being created.");
            case { Kind: FileKind.SymbolicLink }:
                throw new ControlApiStartException($"The control API's folder {folder} is a symbolic link (to {LinkTarget(folder)}); PyChecks uses only a real folder of its own there: remove the link (PyChecks then creates the folder with mode 0700), or choose another path.");
            case { Kind: not FileKind.Directory }:
                throw new ControlApiStartException($"The control API's folder {folder} is not a folder; remove it, or choose another path.");
            case { } s when s.OwnerId != Posix.EffectiveUserId:
                throw new ControlApiStartException($"The control API's folder {folder} belongs to uid {s.OwnerId}, not to this user (uid {Posix.EffectiveUserId}); whoever owns it controls what is in it: remove it (PyChecks then creates its own, mode 0700), or choose another path.");
            case { WritableByOthers: true } s:
                throw new ControlApiStartException($"The control API's folder {folder} can be written by other users (mode {s.OctalMode}); they could plant or swap its socket and token: run 'chmod 700 {folder}', or choose another path.");
        }
    }

    private static string LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
