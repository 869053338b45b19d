using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// <c>docs/reliability.md</c> names, for every row of the fault catalogue, the tests that back it. This keeps the
/// document true: every row has at least one test, and every test it names exists in this assembly and is a test.
/// </summary>
[TestFixture]
public sealed partial class ReliabilityCatalogueTests
{
    /// <summary>The catalogue's rows, by the first words of their heading in the document.</summary>
    private static readonly string[] Rows =
    [
        "No libpython found",
        "A check that does not load",
        "A configuration that is wrong",
        "`check()` raises",
        "`check()` never returns",
        "A check blocks in C",
        "A check tries to end the process",
        "Deep recursion, `MemoryError`",
        "Wrong types to `aggregator",
        "An `ISender` throws",
        "Python threads that outlive the run",
        "Many threads enter GIL scopes",
        "The host shuts down while checks run",
        "Bad requests to the control API",
        "A runtime folder someone else prepared",
        "Busy checks",
        "A check crashes its worker process",
    ];

    [Test]
    public void EveryCatalogueRow_NamesTestsThatExistInThisAssembly()
    {
        string document = File.ReadAllText(Path.Combine(PackagingTests.RepositoryRoot(), "docs", "reliability.md"));
        var sections = SectionPattern().Matches(document).Select(m => (Heading: m.Groups["heading"].Value.Trim(), Body: m.Groups["body"].Value)).ToList();

        Assert.That(sections.Select(s => s.Heading).ToList(), Has.Count.EqualTo(Rows.Length), "one section per catalogue row");
        var testMethods = typeof(ReliabilityCatalogueTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Select(m => (Type: t, Method: m)))
            .Where(x => x.Method.GetCustomAttributes().Any(a => a is TestAttribute or TestCaseAttribute or TestCaseSourceAttribute))
            .Select(x => $"{x.Type.Name}.{x.Method.Name}")
            .ToHashSet(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            for (int i = 0; i < Rows.Length; i++)
            {
                var (heading, body) = sections[i];
                Assert.That(heading, Does.StartWith(Rows[i]), $"section {i + 1}");
                var named = TestNamePattern().Matches(body).Select(m => m.Groups["name"].Value).ToList();
                Assert.That(named, Is.Not.Empty, $"'{heading}' names no test");
                foreach (string name in named)
                {
                    Assert.That(testMethods.Contains(name), Is.True, $"'{heading}' names {name}, which is not a test in this assembly");
                }
            }
        });
    }

    [GeneratedRegex(@"^### \d+\. (?<heading>[^\n]+)\n(?<body>.*?)(?=^##|\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SectionPattern();

    /// <summary>A test named as <c>`Fixture.Method`</c> on a "Tests:" bullet.</summary>
    [GeneratedRegex(@"`(?<name>[A-Z][A-Za-z0-9]*Tests\.[A-Z][A-Za-z0-9_]*)`")]
    private static partial Regex TestNamePattern();
}
