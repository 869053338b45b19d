namespace PyChecks;

/// <summary>The embedded interpreter's version, as <c>sys.version_info</c> and <c>sys.implementation</c> report it.</summary>
public sealed record PythonVersionInfo
{
    /// <summary>Major version (3).</summary>
    public required int Major { get; init; }

    /// <summary>Minor version (9–13).</summary>
    public required int Minor { get; init; }

    /// <summary>Micro (patch) version.</summary>
    public required int Micro { get; init; }

    /// <summary><c>alpha</c>, <c>beta</c>, <c>candidate</c> or <c>final</c>.</summary>
    public required string ReleaseLevel { get; init; }

    /// <summary><c>sys.implementation.name</c>: <c>cpython</c>.</summary>
    public required string Implementation { get; init; }

    /// <summary>The path of the libpython that was loaded.</summary>
    public required string LibraryPath { get; init; }

    /// <summary><c>sys.version</c>, including the build and compiler.</summary>
    public required string FullVersion { get; init; }

    /// <summary>The version as <c>major.minor.micro</c>.</summary>
    public override string ToString() => $"{Major}.{Minor}.{Micro}";
}
