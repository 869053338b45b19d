namespace PyChecks;

/// <summary>The embedded interpreter's version, as <c>sys.version_info</c> and <c>sys.implementation</c> report it.</summary>
/// <param name="Major">Major version (3).</param>
/// <param name="Minor">Minor version (9–13).</param>
/// <param name="Micro">Micro (patch) version.</param>
/// <param name="ReleaseLevel"><c>alpha</c>, <c>beta</c>, <c>candidate</c> or <c>final</c>.</param>
/// <param name="Implementation"><c>sys.implementation.name</c>: <c>cpython</c>.</param>
/// <param name="LibraryPath">The path of the libpython that was loaded.</param>
/// <param name="FullVersion"><c>sys.version</c>, including the build and compiler.</param>
public sealed record PythonVersionInfo(int Major, int Minor, int Micro, string ReleaseLevel, string Implementation, string LibraryPath, string FullVersion)
{
    /// <summary>The version as <c>major.minor.micro</c>.</summary>
    public override string ToString() => $"{Major}.{Minor}.{Micro}";
}
