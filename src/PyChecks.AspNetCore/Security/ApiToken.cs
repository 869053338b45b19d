using System.Security.Cryptography;
using System.Text;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.AspNetCore.Security;

/// <summary>The bearer token of the control API: given in the options, or generated and written to an owner-only file.</summary>
internal sealed class ApiToken : IDisposable
{
    private const string Scheme = "Bearer ";
    private readonly byte[] _hash;
    private readonly InstanceLock? _lock;
    private readonly FileStatus? _written;

    private ApiToken(string token, string? filePath, InstanceLock? fileLock = null, FileStatus? written = null)
    {
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        FilePath = filePath;
        _lock = fileLock;
        _written = written;
    }

    /// <summary>The file the generated token was written to; <see langword="null"/> when the token came from the options.</summary>
    public string? FilePath { get; }

    /// <summary>
    /// Uses the configured token, or generates one (256 bits from the OS's CSPRNG) and writes it to its file with mode
    /// 0600, in a folder of this user's that nobody else can write, holding <c>&lt;file&gt;.lock</c> so that a second
    /// host cannot replace it.
    /// </summary>
    /// <exception cref="ControlApiStartException">The folder or the path is not safe, or another host holds the file.</exception>
    public static ApiToken Create(PyChecksApiOptions options, string? applicationName)
    {
        if (options.Token is { } given)
        {
            return new ApiToken(given, null);
        }

        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string path = Path.GetFullPath(options.TokenFilePath ?? RuntimeDirectory.DefaultFile(applicationName, ".token"));
        RuntimeDirectory.PrepareFolderOf(path, "token file");
        var fileLock = InstanceLock.Acquire(path, "token file", nameof(PyChecksApiOptions.TokenFilePath));
        try
        {
            // Locked, so a file already there was left by a host that ended; still, never a link, nor another user's file.
            if (RuntimeDirectory.CheckOwnFile(path, "token file", nameof(PyChecksApiOptions.TokenFilePath)) is { Kind: not FileKind.RegularFile })
            {
                throw new ControlApiStartException($"The control API's token file path {path} is taken by something that is not a regular file; remove it, or set TokenFilePath to another path.");
            }

            return new ApiToken(token, path, fileLock, Write(path, token));
        }
        catch
        {
            fileLock?.Dispose();
            throw;
        }
    }

    /// <summary>Whether an <c>Authorization</c> header carries the token; compares in constant time (over SHA-256 digests, so the length leaks nothing either).</summary>
    public bool Matches(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(authorization.AsSpan(Scheme.Length).Trim().ToString()), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    /// <summary>Deletes the token file written at start, if it is still the file this host wrote, then releases its lock.</summary>
    public void Dispose()
    {
        if (FilePath is not null)
        {
            try
            {
                if (_written is null || (Posix.LStat(FilePath) is { } current && current.IsSameFile(_written.Value)))
                {
                    File.Delete(FilePath);
                }
            }
            catch (IOException)
            {
                // Best effort: a token file left behind is useless once the process has ended.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        _lock?.Dispose();
    }

    /// <summary>
    /// Writes a new file, created 0600 (never through a link: <c>O_EXCL</c>) and then moved over the old one, so no reader
    /// ever sees the token with a wider mode; returns the identity of the file written.
    /// </summary>
    private static FileStatus? Write(string path, string token)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStatus? written = null;
        bool created = false;
        try
        {
            using (var stream = new FileStream(temporary, create))
            {
                created = true;
                stream.Write(Encoding.ASCII.GetBytes(token));
                if (OperatingSystem.IsLinux())
                {
                    written = Posix.FStat(stream.SafeFileHandle);
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (created)
            {
                File.Delete(temporary);
            }

            throw new ControlApiStartException($"The control API's token file {path} cannot be written: {e.Message}", e);
        }

        return written;
    }
}
