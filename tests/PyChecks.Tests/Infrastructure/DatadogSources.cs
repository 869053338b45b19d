using System.Text.RegularExpressions;
using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// Datadog's unmodified toolkit and integrations (<c>shared/datadog</c>, found by walking up from the repository root):
/// the <c>datadog_checks_base</c> folder, <c>deps/binary</c> and <c>integrations/&lt;name&gt;</c>.
/// </summary>
internal static partial class DatadogSources
{
    /// <summary>pydantic 2 and what it imports, as top-level names in a <c>site-packages</c> folder.</summary>
    public static readonly IReadOnlyList<string> PydanticPackages = ["pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions.py"];

    private static readonly Lazy<string?> s_root = new(Find);

    /// <summary>The <c>datadog</c> folder, or <see langword="null"/> when no folder above the repository holds <c>shared/datadog</c>.</summary>
    public static string? Root => s_root.Value;

    /// <summary>The <c>datadog</c> folder; the test is skipped, with the places looked at, when it is absent.</summary>
    public static string RequirePresent()
    {
        if (Root is null)
        {
            Assert.Ignore($"Datadog's toolkit and integrations are not here: no shared/datadog/datadog_checks_base in {PackagingTests.RepositoryRoot()} or a folder above it");
        }

        return Root!;
    }

    /// <summary>The folder to put on <c>sys.path</c> for <c>datadog_checks.base</c>.</summary>
    public static string BasePath => Path.Combine(RequirePresent(), "datadog_checks_base");

    /// <summary>The folder to put on <c>sys.path</c> for the <c>binary</c> package the toolkit imports.</summary>
    public static string BinaryPath => Path.Combine(RequirePresent(), "deps", "binary");

    /// <summary>
    /// The toolkit's folders for <c>sys.path</c> — <c>datadog_checks_base</c>, <c>deps/binary</c> and a folder holding only
    /// pydantic 2 and its companions (see <see cref="LinkPydantic2"/>) — or the test is skipped with what is missing.
    /// </summary>
    public static IReadOnlyList<string> ToolkitSearchPaths() => [BasePath, BinaryPath, LinkPydantic2()];

    /// <summary>Why the toolkit cannot be imported on this machine, or <see langword="null"/> when it can.</summary>
    public static string? ToolkitMissing() =>
        Root is null ? "Datadog's toolkit and integrations are not here: no shared/datadog/datadog_checks_base above the repository"
        : FindPydantic2() is (null, var looked) ? PydanticMissing(looked)
        : null;

    /// <summary>
    /// A new folder holding links to pydantic 2 and its companions only (never a whole foreign site-packages), for
    /// <c>sys.path</c>; the test is skipped when no pydantic 2 for CPython 3.11 is on the machine.
    /// </summary>
    public static string LinkPydantic2()
    {
        var (source, looked) = FindPydantic2();
        if (source is null)
        {
            Assert.Ignore(PydanticMissing(looked));
        }

        string folder = Directory.CreateTempSubdirectory("pychecks-pydantic").FullName;
        foreach (string package in PydanticPackages)
        {
            File.CreateSymbolicLink(Path.Combine(folder, package), Path.Combine(source!, package));
        }

        return folder;
    }

    /// <summary>
    /// The first <c>site-packages</c> (or <c>dist-packages</c>) folder holding pydantic 2 with a <c>pydantic_core</c>
    /// built for CPython 3.11 and the rest of <see cref="PydanticPackages"/>: Debian's folders first, then pyenv's 3.11 builds.
    /// </summary>
    public static (string? Folder, string Looked) FindPydantic2()
    {
        string pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } r ? r : "/root/.pyenv";
        var candidates = new List<string> { "/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages" };
        if (Directory.Exists(Path.Combine(pyenv, "versions")))
        {
            candidates.AddRange(Directory.GetDirectories(Path.Combine(pyenv, "versions"), "3.11*")
                .Order(StringComparer.Ordinal)
                .Select(v => Path.Combine(v, "lib", "python3.11", "site-packages")));
        }

        foreach (string folder in candidates)
        {
            string version = Path.Combine(folder, "pydantic", "version.py");
            bool hasAll = PydanticPackages.All(p => Path.Exists(Path.Combine(folder, p)));
            if (hasAll && File.Exists(version) && PydanticVersion().Match(File.ReadAllText(version)) is { Success: true } m && m.Groups[1].Value == "2"
                && Directory.EnumerateFiles(Path.Combine(folder, "pydantic_core"), "*.cpython-311-x86_64-linux-gnu.so").Any())
            {
                return (folder, string.Join(", ", candidates));
            }
        }

        return (null, string.Join(", ", candidates));
    }

    private static string PydanticMissing(string looked) =>
        "pydantic 2 (with pydantic_core built for CPython 3.11, annotated_types, typing_inspection and typing_extensions) " +
        $"is nowhere on this machine: looked in {looked}. datadog_checks.base imports it at start; Debian's python3-pydantic is 1.x.";

    [GeneratedRegex(@"^VERSION\s*=\s*['""](\d+)\.", RegexOptions.Multiline)]
    private static partial Regex PydanticVersion();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(PackagingTests.RepositoryRoot()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datadog");
            if (Directory.Exists(Path.Combine(candidate, "datadog_checks_base")))
            {
                return candidate;
            }
        }

        return null;
    }
}
