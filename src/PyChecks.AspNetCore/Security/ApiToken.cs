using System.Security.Cryptography;
using System.Text;
using PyChecks.AspNetCore.Listener;

namespace PyChecks.AspNetCore.Security;

/// <summary>The bearer token of the control API: given in the options, or generated and written to an owner-only file.</summary>
internal sealed class ApiToken : IDisposable
{
    private const string Scheme = "Bearer ";
    private readonly byte[] _hash;

    private ApiToken(string token, string? filePath)
    {
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        FilePath = filePath;
    }

    /// <summary>The file the generated token was written to; <see langword="null"/> when the token came from the options.</summary>
    public string? FilePath { get; }

    /// <summary>Uses the configured token, or generates one (256 bits from the OS's CSPRNG) and writes it to its file with mode 0600.</summary>
    public static ApiToken Create(PyChecksApiOptions options, string? applicationName)
    {
        if (options.Token is { } given)
        {
            return new ApiToken(given, null);
        }

        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string path = Path.GetFullPath(options.TokenFilePath ?? RuntimeDirectory.DefaultFile(applicationName, ".token"));
        RuntimeDirectory.EnsureParent(path);

        // A new file, created 0600 and then moved over the old one, so no reader ever sees the token with a wider mode.
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, create))
        {
            stream.Write(Encoding.ASCII.GetBytes(token));
        }

        File.Move(temporary, path, overwrite: true);
        return new ApiToken(token, path);
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

    /// <summary>Deletes the token file written at start.</summary>
    public void Dispose()
    {
        if (FilePath is not null)
        {
            try
            {
                File.Delete(FilePath);
            }
            catch (IOException)
            {
                // Best effort: a token file left behind is useless once the process has ended.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
