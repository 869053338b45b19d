using System.Security.Cryptography;
using System.Text;

namespace PyChecks.Builtins;

/// <summary>
/// The store behind <c>datadog_agent.read/write_persistent_cache</c>: one file per key in a folder, so
/// values survive host restarts. Writes go to a temporary file first, then replace the old one.
/// </summary>
internal static class PersistentCache
{
    /// <summary>The folder used when none is configured: <c>~/.local/share/pychecks/cache</c>.</summary>
    public static string DefaultDirectory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "pychecks", "cache");

    public static void Write(string? directory, string key, string value)
    {
        string folder = directory ?? DefaultDirectory;
        Directory.CreateDirectory(folder);
        string path = PathFor(folder, key);
        string temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, value, Encoding.UTF8);
        File.Move(temporary, path, overwrite: true);
    }

    public static string Read(string? directory, string key)
    {
        string path = PathFor(directory ?? DefaultDirectory, key);
        return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : string.Empty;
    }

    /// <summary>A readable, collision-free file name: the key's safe characters plus a hash of the whole key.</summary>
    private static string PathFor(string folder, string key)
    {
        var safe = new StringBuilder(Math.Min(key.Length, 80));
        foreach (char c in key.AsSpan(0, Math.Min(key.Length, 80)))
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
        return Path.Combine(folder, $"{safe}-{hash}.cache");
    }
}
