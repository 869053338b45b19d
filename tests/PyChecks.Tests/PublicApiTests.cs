using System.Xml.Linq;
using NUnit.Framework;

namespace PyChecks.Tests;

/// <summary>
/// The public surface of each package is tracked by Roslyn's public API analyzer in <c>src/&lt;project&gt;/PublicAPI.Shipped.txt</c>
/// and <c>PublicAPI.Unshipped.txt</c>: a public change that the files do not list fails the build (RS0016, RS0017), so every
/// change is seen in review. These tests keep that guard in place: the analyzer is referenced, the files are given to it,
/// and every public type of the built assembly is listed.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class PublicApiTests
{
    [TestCase("PyChecks", typeof(CheckHost))]
    [TestCase("PyChecks.AspNetCore", typeof(PyChecksApiOptions))]
    public void ThePublicApiAnalyzer_TracksThePackage_AndListsEveryPublicType(string project, Type anyType)
    {
        string folder = Path.Combine(PackagingTests.RepositoryRoot(), "src", project);
        var csproj = XDocument.Load(Path.Combine(folder, project + ".csproj"));
        var items = csproj.Descendants().Where(e => e.Name.LocalName is "PackageReference" or "AdditionalFiles").Select(e => (Kind: e.Name.LocalName, Include: (string?)e.Attribute("Include"))).ToList();
        Assert.That(items, Does.Contain(("PackageReference", (string?)"Microsoft.CodeAnalysis.PublicApiAnalyzers")), "the analyzer is referenced");
        Assert.That(items, Does.Contain(("AdditionalFiles", (string?)"PublicAPI.Shipped.txt")).And.Contain(("AdditionalFiles", (string?)"PublicAPI.Unshipped.txt")), "the files are given to it");

        var listed = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(file => File.ReadAllLines(Path.Combine(folder, file)))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.StartsWith('[') ? line[(line.IndexOf(']', StringComparison.Ordinal) + 1)..] : line) // [PYCHECKS001]: an experimental member's id
            .ToList();
        Assert.That(listed, Is.Not.Empty);
        var missing = anyType.Assembly.GetExportedTypes()
            .Select(t => t.FullName!.Replace('+', '.'))
            .Where(name => !listed.Any(line => line == name || line.StartsWith(name + ".", StringComparison.Ordinal) || line.Contains(" " + name + ".", StringComparison.Ordinal) || line.EndsWith(" " + name, StringComparison.Ordinal)))
            .ToList();
        Assert.That(missing, Is.Empty, $"public types of {project} that its PublicAPI files do not list");
    }

    [Test]
    public void TheRepository_KeepsNoOtherListingOfThePublicApi()
    {
        string[] stale = Directory.GetFiles(Path.Combine(PackagingTests.RepositoryRoot(), "src"), "PublicAPI.txt", SearchOption.AllDirectories);
        Assert.That(stale, Is.Empty, "the analyzer's Shipped/Unshipped files are the one listing");
    }
}
