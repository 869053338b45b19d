using System.Text.RegularExpressions;

namespace PyChecks.Tests.Docs;

/// <summary>
/// One fenced code block of a Markdown file, with the <c>&lt;!-- snippet: kind; key: value --&gt;</c> marker that
/// precedes it, if any (the nearest non-blank line before the fence).
/// </summary>
/// <param name="File">The Markdown file, relative to the repository root (<c>docs/senders.md</c>).</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Language">The fence's info string, lower-cased; empty when the fence has none.</param>
/// <param name="Kind">The marker's kind (<c>statements</c>, <c>file</c>, <c>check</c>, …), or <see langword="null"/> without a marker.</param>
/// <param name="Attributes">The marker's <c>key: value</c> pairs.</param>
/// <param name="Text">The block's content, without the fences; lines end with <c>\n</c>.</param>
public sealed partial record DocBlock(string File, int Line, string Language, string? Kind, IReadOnlyDictionary<string, string> Attributes, string Text)
{
    /// <summary>The 1-based line of the block's first content line.</summary>
    public int FirstContentLine => Line + 1;

    /// <summary>Where the block is, for messages: <c>docs/senders.md:120</c>.</summary>
    public string Where => $"{File}:{Line}";

    /// <summary>The marker attribute <paramref name="key"/>, or <see langword="null"/>.</summary>
    public string? Attribute(string key) => Attributes.TryGetValue(key, out string? value) ? value : null;

    /// <summary>The repository's Markdown files with code blocks: <c>README.md</c> and every <c>docs/*.md</c>, found now.</summary>
    public static IReadOnlyList<string> DocumentFiles(string repositoryRoot) =>
        [
            "README.md",
            .. Directory.EnumerateFiles(Path.Combine(repositoryRoot, "docs"), "*.md")
                .Select(f => Path.GetRelativePath(repositoryRoot, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal),
        ];

    /// <summary>Every fenced block of every document file.</summary>
    public static IReadOnlyList<DocBlock> All(string repositoryRoot) =>
        [.. DocumentFiles(repositoryRoot).SelectMany(f => Read(repositoryRoot, f))];

    /// <summary>The fenced blocks of one Markdown file.</summary>
    public static IEnumerable<DocBlock> Read(string repositoryRoot, string relativePath)
    {
        string[] lines = System.IO.File.ReadAllText(Path.Combine(repositoryRoot, relativePath)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            string fence = open.Groups["fence"].Value;
            int start = i;
            var content = new List<string>();
            for (i++; i < lines.Length && !(lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal) && lines[i].Trim().Trim(fence[0]).Length == 0); i++)
            {
                content.Add(lines[i]);
            }

            if (i == lines.Length)
            {
                throw new FormatException($"{relativePath}:{start + 1}: the code block is never closed");
            }

            var (kind, attributes) = MarkerBefore(lines, start);
            yield return new DocBlock(relativePath, start + 1, open.Groups["info"].Value.Trim().ToLowerInvariant(), kind, attributes, string.Concat(content.Select(l => l + "\n")));
        }
    }

    private static (string? Kind, IReadOnlyDictionary<string, string> Attributes) MarkerBefore(string[] lines, int fence)
    {
        int i = fence - 1;
        while (i >= 0 && lines[i].Trim().Length == 0)
        {
            i--;
        }

        var marker = i >= 0 ? Marker().Match(lines[i].Trim()) : Match.Empty;
        if (!marker.Success)
        {
            return (null, new Dictionary<string, string>());
        }

        string[] parts = marker.Groups["body"].Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in parts.Skip(1))
        {
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new FormatException($"line {i + 1}: marker attribute '{part}' is not 'key: value'");
            }

            attributes[part[..colon].Trim()] = part[(colon + 1)..].Trim();
        }

        return (parts.Length > 0 ? parts[0] : null, attributes);
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^<!--\s*snippet:(?<body>.*?)-->$")]
    private static partial Regex Marker();
}
