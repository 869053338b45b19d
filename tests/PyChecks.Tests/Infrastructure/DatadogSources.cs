using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// Datadog's unmodified toolkit and integrations (<c>shared/datadog</c>, found by walking up from the repository root):
/// the <c>datadog_checks_base</c> folder, <c>deps/binary</c> and <c>integrations/&lt;name&gt;</c>.
/// </summary>
internal static class DatadogSources
{
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
