namespace PyChecks.Tests.Checks.Configuration;

/// <summary>A real temporary <c>conf.d</c> directory, deleted on dispose.</summary>
public sealed class ConfDirectory : IDisposable
{
    public ConfDirectory() => Path = Directory.CreateTempSubdirectory("pychecks-conf").FullName;

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>Writes <paramref name="relativePath"/> (creating folders) and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        string path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes <paramref name="relativePath"/> byte for byte (creating folders) and returns its full path.</summary>
    public string WriteBytes(string relativePath, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
