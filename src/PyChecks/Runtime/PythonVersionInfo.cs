namespace PyChecks;

/// <summary>The embedded interpreter's version, as <c>sys.version_info</c> and <c>sys.implementation</c> report it.</summary>
public sealed record PythonVersionInfo
{
    // Only PyChecks creates these; hosts read them.
    internal PythonVersionInfo()
    {
    }

    /// <summary>Major version (3).</summary>
    public int Major { get; internal init; }

    /// <summary>Minor version (9–13).</summary>
    public int Minor { get; internal init; }

    /// <summary>Micro (patch) version.</summary>
    public int Micro { get; internal init; }

    /// <summary><c>alpha</c>, <c>beta</c>, <c>candidate</c> or <c>final</c>.</summary>
    public string ReleaseLevel { get; internal init; } = "";

    /// <summary><c>sys.implementation.name</c>: <c>cpython</c>.</summary>
    public string Implementation { get; internal init; } = "";

    /// <summary>The path of the libpython that was loaded.</summary>
    public string LibraryPath { get; internal init; } = "";

    /// <summary><c>sys.version</c>, including the build and compiler.</summary>
    public string FullVersion { get; internal init; } = "";

    /// <summary>The version as <c>major.minor.micro</c>.</summary>
    public override string ToString() => $"{Major}.{Minor}.{Micro}";
}
