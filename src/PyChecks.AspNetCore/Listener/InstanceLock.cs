using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// An exclusive <c>flock</c> on <c>&lt;path&gt;.lock</c>, holding the process id, taken before the host creates a file
/// at <c>&lt;path&gt;</c> (its socket or its token file): a second host on the same path fails at once, names the first
/// one's pid, and touches none of its files. The kernel drops the lock when the process ends, however it ends, so a
/// lock file left by a killed host never blocks the next start.
/// </summary>
internal sealed class InstanceLock : IDisposable
{
    private const int Attempts = 3;

    private readonly SafeFileHandle _handle;
    private readonly FileStatus _status;

    private InstanceLock(string path, SafeFileHandle handle, FileStatus status)
    {
        Path = path;
        _handle = handle;
        _status = status;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock that guards <paramref name="guarded"/>, or fails with the holder's pid.</summary>
    /// <exception cref="ControlApiStartException">Another process holds the lock, or the lock file is not this user's.</exception>
    public static InstanceLock? Acquire(string guarded, string role, string option)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        string path = guarded + ".lock";
        for (int attempt = 1; ; attempt++)
        {
            RuntimeDirectory.CheckOwnFile(path, role + "'s lock", option);
            SafeFileHandle handle;
            try
            {
                handle = Posix.OpenNoFollow(path);
            }
            catch (IOException e)
            {
                throw new ControlApiStartException($"The control API's lock file {path} cannot be opened: {e.Message}", e);
            }

            try
            {
                var status = Posix.FStat(handle);
                if (status.Kind != FileKind.RegularFile || status.OwnerId != Posix.EffectiveUserId)
                {
                    throw new ControlApiStartException($"The control API's lock file {path} is not a regular file of this user; remove it, or set {option} to another path.");
                }

                if (!Posix.TryLockExclusive(handle))
                {
                    string holder = ReadPid(handle) is int pid ? $"Another PyChecks host (pid {pid})" : "Another process";
                    throw new ControlApiStartException($"{holder} is already serving the control API's {role} {guarded} (it holds {path}): stop it, or set {option} to another path for this host.");
                }

                // The previous holder may have removed the file between our open and our lock: then the lock is on a
                // file no one else can find, and the path must be opened again.
                if (Posix.LStat(path) is { } current && current.IsSameFile(status))
                {
                    WritePid(handle);
                    return new InstanceLock(path, handle, status);
                }

                if (attempt == Attempts)
                {
                    throw new ControlApiStartException($"The control API's lock file {path} keeps being replaced while this host starts: is another host starting and stopping on the same path?");
                }
            }
            catch
            {
                handle.Dispose();
                throw;
            }

            handle.Dispose();
        }
    }

    /// <summary>Removes the lock file if it is still the one locked, then releases the lock (by closing it).</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        try
        {
            if (Posix.LStat(Path) is { } current && current.IsSameFile(_status))
            {
                File.Delete(Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a lock file left behind is unlocked once this process ends, and reused by the next start.
        }

        _handle.Dispose();
    }

    private static int? ReadPid(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[32];
        try
        {
            int read = RandomAccess.Read(handle, buffer, 0);
            return int.TryParse(Encoding.ASCII.GetString(buffer[..read]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void WritePid(SafeFileHandle handle)
    {
        byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, pid, 0);
    }
}
