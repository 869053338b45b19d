namespace PyChecks.Tests.Docs;

/// <summary>
/// The README's "Quick start" section, as a fresh project is made from it: the shell commands that create the project
/// and add the package, its <c>Program.cs</c>, a check for <c>checks.d</c> and its configuration for <c>conf.d</c>.
/// </summary>
internal sealed record QuickStart(IReadOnlyList<string> Commands, DocBlock Program, DocBlock Check, DocBlock Config)
{
    /// <summary>The section's heading.</summary>
    public const string Heading = "## Quick start";

    /// <summary>The check's name, from its file name in <c>checks.d</c>.</summary>
    public string CheckName => Path.GetFileNameWithoutExtension(Check.Attribute("file")!);

    /// <summary>Reads the section from the README of <paramref name="repositoryRoot"/>.</summary>
    public static QuickStart Read(string repositoryRoot)
    {
        string[] lines = System.IO.File.ReadAllLines(Path.Combine(repositoryRoot, "README.md"));
        int start = Array.IndexOf(lines, Heading) + 1;
        if (start == 0)
        {
            throw new InvalidOperationException($"README.md has no '{Heading}' section");
        }

        int end = Array.FindIndex(lines, start, l => l.StartsWith("## ", StringComparison.Ordinal));
        end = end < 0 ? lines.Length : end + 1;
        var blocks = DocBlock.Read(repositoryRoot, "README.md").Where(b => b.Line > start && b.Line < end).ToList();
        DocBlock Marked(string prefix, string suffix) =>
            blocks.SingleOrDefault(b => b.Attribute("file") is { } f && f.StartsWith(prefix, StringComparison.Ordinal) && f.EndsWith(suffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"README.md's quick start has no block marked 'file: {prefix}…{suffix}'");

        return new QuickStart(
            [.. blocks.Where(b => b.Language is "bash" or "sh").SelectMany(ShellSnippet.Commands)],
            Marked("Program.cs", string.Empty),
            Marked("checks.d/", ".py"),
            Marked("conf.d/", ".yaml"));
    }
}
