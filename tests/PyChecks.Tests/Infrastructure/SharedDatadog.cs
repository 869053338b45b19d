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
