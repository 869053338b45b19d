using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// The few libc calls the runtime folder needs that .NET does not offer: <c>lstat</c> with the owner, <c>open</c> with
/// <c>O_NOFOLLOW</c>, <c>flock</c>, and a Unix socket bound by hand (a socket bound through .NET deletes whatever is at
/// its path when it closes, even a file that replaced it). Linux only, x64 and arm64, like the rest of PyChecks.
/// </summary>
internal static partial class Posix
{
    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7FF;
    private const uint StatxBirthTime = 0x800;
    private const int ORdWr = 2;
    private const int OCreat = 0x40;
    private const int OCloExec = 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int EWouldBlock = 11;
    private const int ENoEnt = 2;
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloExec = 0x80000;

    /// <summary><c>O_NOFOLLOW</c>, whose value differs between x64 (generic) and arm64.</summary>
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>The effective user id, the owner files and folders of the host must have.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>The status of the file at <paramref name="path"/> itself (a link is not followed), or <see langword="null"/> when there is none.</summary>
    public static FileStatus? LStat(string path)
    {
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats | StatxBirthTime, out var buffer) == 0)
        {
            return buffer.ToStatus();
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == ENoEnt ? null : throw new IOException($"cannot read the status of {path}: {new Win32Exception(errno).Message}");
    }

    /// <summary>The status of an open file.</summary>
    public static FileStatus FStat(SafeHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats | StatxBirthTime, out var buffer) == 0
                ? buffer.ToStatus()
                : throw new IOException($"cannot read the status of an open file: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Opens (creating it 0600 if missing) a regular file for reading and writing, refusing to follow a link at <paramref name="path"/>.</summary>
    public static SafeFileHandle OpenNoFollow(string path)
    {
        int fd = open(path, ORdWr | OCreat | OCloExec | ONoFollow, 0b110_000_000);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw new IOException($"cannot open {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    /// <summary>Takes an exclusive <c>flock</c> without waiting; <see langword="false"/> when another open file description holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            return errno == EWouldBlock ? false : throw new IOException($"cannot lock a file: {new Win32Exception(errno).Message}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Creates a Unix stream socket bound to <paramref name="path"/>, not listening yet (so that nobody can connect
    /// before its mode is set), and returns its descriptor; the caller removes the socket file, since closing the
    /// descriptor does not.
    /// </summary>
    public static int BindUnixSocket(string path)
    {
        byte[] name = Encoding.UTF8.GetBytes(path);
        byte[] address = new byte[2 + 108];
        address[0] = AfUnix; // sun_family, little-endian
        if (name.Length >= 108)
        {
            throw new IOException($"the socket path {path} is longer than the 107 bytes a Unix socket address holds");
        }

        name.CopyTo(address, 2);
        int fd = socket(AfUnix, SockStream | SockCloExec, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot create a Unix socket: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }

        if (bind(fd, address, 2 + name.Length + 1) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = close(fd);
            throw new IOException($"cannot bind a Unix socket to {path}: {new Win32Exception(errno).Message}");
        }

        return fd;
    }

    /// <summary>Starts accepting connections on a bound socket.</summary>
    public static void Listen(int fd, int backlog)
    {
        if (listen(fd, backlog) != 0)
        {
            throw new IOException($"cannot listen on a Unix socket: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        }
    }

    /// <summary>Closes a descriptor that no one else owns yet.</summary>
    public static void Close(int fd) => _ = close(fd);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int bind(int fd, byte[] address, int length);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int listen(int fd, int backlog);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport(Libc)]
    private static partial uint geteuid();

    /// <summary><c>struct statx</c>: the same layout on every Linux architecture, unlike <c>struct stat</c>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(80)]
        public long BirthSeconds;

        [FieldOffset(88)]
        public uint BirthNanoseconds;

        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;

        public readonly FileStatus ToStatus()
        {
            var kind = (Mode & 0xF000) switch
            {
                0x8000 => FileKind.RegularFile,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                0xC000 => FileKind.Socket,
                _ => FileKind.Other,
            };
            long? birth = (Mask & StatxBirthTime) != 0 ? (BirthSeconds * 1_000_000_000) + BirthNanoseconds : null;
            return new FileStatus(kind, Uid, Mode & 0xFFF, ((ulong)DevMajor << 32) | DevMinor, Inode, birth);
        }
    }
}
