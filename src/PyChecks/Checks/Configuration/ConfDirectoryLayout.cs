namespace PyChecks.Checks.Configuration;

/// <summary>
/// Datadog's <c>conf.d</c> layout: which files configure which check.
/// <list type="bullet">
/// <item><c>conf.d/&lt;name&gt;.yaml</c> (or <c>.yml</c>) configures check <c>&lt;name&gt;</c>;</item>
/// <item>every <c>conf.d/&lt;name&gt;.d/*.yaml</c> (or <c>.yml</c>) is one more configuration of <c>&lt;name&gt;</c>;</item>
/// <item>a <c>….yaml.default</c> file, at either level, is used only when no other file configures that check;</item>
/// <item><c>auto_conf.yaml</c> and <c>metrics.yaml</c> in a <c>.d</c> folder are skipped: they are Autodiscovery
/// templates and JMX metric lists in the Agent, not instances to run;</item>
/// <item>anything else, hidden files and nested folders included, is ignored.</item>
/// </list>
/// </summary>
internal static class ConfDirectoryLayout
{
    private const string DefaultSuffix = ".default";

    /// <summary>The files to read, ordered by check name then path; problems reaching a folder go to <paramref name="errors"/>.</summary>
    /// <param name="confD">The <c>conf.d</c> directory.</param>
    /// <param name="errors">Receives a problem listing a folder.</param>
    /// <param name="checkName">Only the files of this check (the other <c>.d</c> folders are not even listed); every check's when null.</param>
    public static IReadOnlyList<ConfFile> Find(string confD, ICollection<CheckConfigurationException> errors, string? checkName = null)
    {
        if (!Directory.Exists(confD))
        {
            string problem = File.Exists(confD) ? "the configuration directory is a file, not a directory" : "the configuration directory does not exist";
            errors.Add(new CheckConfigurationException(confD, null, null, problem));
            return [];
        }

        bool Wanted(string name) => checkName is null || string.Equals(name, checkName, StringComparison.Ordinal);

        var found = new List<ConfFile>();
        foreach (var entry in Enumerate(confD, errors))
        {
            if (entry is DirectoryInfo folder)
            {
                if (folder.Name.Length > 2 && folder.Name.EndsWith(".d", StringComparison.Ordinal) && !folder.Name.StartsWith('.') && Wanted(folder.Name[..^2]))
                {
                    AddFolder(folder, folder.Name[..^2], found, errors);
                }
            }
            else if (TrySplit(entry.Name, out string name, out bool isDefault) && Wanted(name))
            {
                found.Add(new ConfFile(name, entry.FullName, isDefault));
            }
        }

        return [.. found
            .GroupBy(f => f.CheckName, StringComparer.Ordinal)
            .SelectMany(check => check.Any(f => !f.IsDefault) ? check.Where(f => !f.IsDefault) : check)
            .OrderBy(f => f.CheckName, StringComparer.Ordinal)
            .ThenBy(f => f.Path, StringComparer.Ordinal)];
    }

    private static void AddFolder(DirectoryInfo folder, string checkName, List<ConfFile> found, ICollection<CheckConfigurationException> errors)
    {
        foreach (var entry in Enumerate(folder.FullName, errors))
        {
            if (entry is FileInfo && TrySplit(entry.Name, out string stem, out bool isDefault) && stem is not ("auto_conf" or "metrics"))
            {
                found.Add(new ConfFile(checkName, entry.FullName, isDefault));
            }
        }
    }

    private static IEnumerable<FileSystemInfo> Enumerate(string folder, ICollection<CheckConfigurationException> errors)
    {
        try
        {
            // Materialized here so that an unreadable folder fails inside this try, not in the caller's loop.
            return [.. new DirectoryInfo(folder).EnumerateFileSystemInfos()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new CheckConfigurationException(folder, null, null, $"cannot list the directory: {e.Message}", e));
            return [];
        }
    }

    /// <summary>Splits <c>name.yaml</c>, <c>name.yml</c> and their <c>.default</c> forms; false for any other file name.</summary>
    private static bool TrySplit(string fileName, out string stem, out bool isDefault)
    {
        isDefault = fileName.EndsWith(DefaultSuffix, StringComparison.Ordinal);
        string name = isDefault ? fileName[..^DefaultSuffix.Length] : fileName;
        stem = name.EndsWith(".yaml", StringComparison.Ordinal) ? name[..^5]
            : name.EndsWith(".yml", StringComparison.Ordinal) ? name[..^4]
            : string.Empty;
        return stem.Length > 0 && !stem.StartsWith('.');
    }

    /// <summary>One configuration file and the check it configures.</summary>
    internal readonly record struct ConfFile(string CheckName, string Path, bool IsDefault);
}
