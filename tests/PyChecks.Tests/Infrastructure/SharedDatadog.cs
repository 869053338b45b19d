namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// Datadog's toolkit in <c>shared/datadog</c>, found by walking up from the test assembly (the repository sits next
/// to <c>shared</c>); null when absent.
/// </summary>
public static class SharedDatadog
{
    public static string? Root { get; } = Find();

    /// <summary>The folders to put on <c>sys.path</c> for <c>import datadog_checks.base</c>.</summary>
    public static IReadOnlyList<string> SysPath => Root is null ? [] : [Path.Combine(Root, "datadog_checks_base"), Path.Combine(Root, "deps", "binary")];

    /// <summary>Skips the test, with the reason, when the toolkit is not on this machine.</summary>
    public static void RequirePresent()
    {
        if (Root is null)
        {
            NUnit.Framework.Assert.Ignore("Datadog's toolkit (shared/datadog/datadog_checks_base) was not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// A 3.11 <c>site-packages</c> holding pydantic 2 (pyenv's, on these machines), which the toolkit imports and Debian's
    /// 3.11 lacks; null when none. Appended to <c>sys.path</c>, after Debian's own packages.
    /// </summary>
    public static string? Pydantic2SitePackages { get; } = FindPydantic2();

    /// <summary>Skips the test, with the reason, when no pydantic 2 for 3.11 is on this machine.</summary>
    public static void RequirePydantic2()
    {
        if (Pydantic2SitePackages is null)
        {
            NUnit.Framework.Assert.Ignore("No pydantic 2 for Python 3.11 on this machine (looked in pyenv's 3.11 site-packages); the toolkit cannot be imported");
        }
    }

    private static string? FindPydantic2()
    {
        string root = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } pyenv ? pyenv : "/root/.pyenv";
        string versions = Path.Combine(root, "versions");
        if (!Directory.Exists(versions))
        {
            return null;
        }

        return Directory.EnumerateDirectories(versions, "3.11.*")
            .Select(v => Path.Combine(v, "lib", "python3.11", "site-packages"))
            .FirstOrDefault(site => File.Exists(Path.Combine(site, "pydantic", "version.py"))
                && File.ReadAllText(Path.Combine(site, "pydantic", "version.py")).Contains("VERSION = '2.", StringComparison.Ordinal));
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datadog");
            if (Directory.Exists(Path.Combine(candidate, "datadog_checks_base", "datadog_checks", "base")))
            {
                return candidate;
            }
        }

        return null;
    }
}
