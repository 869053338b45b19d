using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// The control API's Unix socket file, from the checks before it is bound to its removal: its folder must be the user's
/// own, its path is guarded by <c>&lt;socket&gt;.lock</c>, it is bound by hand (so that the server does not delete
/// whatever is at the path when it stops), and only the socket file this process bound is ever removed.
/// </summary>
internal sealed class ListenerSocket : IDisposable
{
    private const string Option = nameof(PyChecksApiOptions.UnixSocketPath);
    private const int Backlog = 512;
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly InstanceLock? _lock;
    private FileStatus? _bound;

    private ListenerSocket(string path, InstanceLock? instanceLock)
    {
        Path = path;
        _lock = instanceLock;
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Checks the folder, takes the lock, and clears the path: a socket left by a host that ended is removed; a live
    /// socket, a link, another user's file or a file that is not a socket stop the start, and are left as they are.
    /// </summary>
    /// <exception cref="ControlApiStartException">The path cannot be used; the message says why.</exception>
    public static async Task<ListenerSocket> PrepareAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        RuntimeDirectory.PrepareFolderOf(path, "socket");
        var instanceLock = InstanceLock.Acquire(path, "socket", Option);
        try
        {
            await RemoveStaleAsync(path, logger, cancellationToken).ConfigureAwait(false);
            return new ListenerSocket(path, instanceLock);
        }
        catch
        {
            instanceLock?.Dispose();
            throw;
        }
    }

    /// <summary>Binds, makes the socket file 0600, then listens; returns the descriptor, which the server owns from then on.</summary>
    public int Bind()
    {
        int fd = Posix.BindUnixSocket(Path);
        try
        {
            _bound = Posix.LStat(Path);

            // Nobody can connect before listen(), so the mode is 0600 before the first connection; nobody else can
            // write the folder, so the file cannot be swapped between bind and chmod.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, OwnerReadWrite);
            }

            Posix.Listen(fd, Backlog);
            return fd;
        }
        catch
        {
            Posix.Close(fd);
            Dispose();
            throw;
        }
    }

    /// <summary>Removes the socket file if it is still the one bound here, then releases the lock.</summary>
    public void Dispose()
    {
        if (_bound is { } bound)
        {
            _bound = null;
            try
            {
                if (Posix.LStat(Path) is { } current && current.IsSameFile(bound))
                {
                    File.Delete(Path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the next start removes a stale socket.
            }
        }

        _lock?.Dispose();
    }

    private static async Task RemoveStaleAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        var status = RuntimeDirectory.CheckOwnFile(path, "socket", Option);
        if (status is null)
        {
            return;
        }

        if (status.Value.Kind != FileKind.Socket)
        {
            throw new ControlApiStartException($"The control API's socket path {path} is taken by a file that is not a socket; remove it, or set {Option} to another path.");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                string who = PeerPid(probe) is int pid ? $"Another process (pid {pid})" : "Another process";
                throw new ControlApiStartException($"{who} is listening on the control API's socket {path}: is the host running twice? Stop it, or set {Option} to another path.");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody listens: left by a process that ended.
            }
        }

        File.Delete(path);
        Log.StaleSocketRemoved(logger, path);
    }

    /// <summary>The pid of the process at the other end of a Unix socket (<c>SO_PEERCRED</c>), when the kernel tells.</summary>
    internal static int? PeerPid(Socket socket)
    {
        const int SolSocket = 1, SoPeerCred = 17;
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        try
        {
            return socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials) == credentials.Length && BitConverter.ToInt32(credentials) is > 0 and int pid ? pid : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
