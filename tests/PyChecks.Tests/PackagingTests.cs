using System.Diagnostics;
using System.IO.Compression;
using NUnit.Framework;

namespace PyChecks.Tests;

/// <summary>The core, control API and tool projects pack into NuGet packages a user can consume.</summary>
[TestFixture]
public sealed class PackagingTests
{
    [Test]
    public void Pack_ProducesAPackageWithTheAssemblyXmlDocsReadmeAndLicense()
    {
        var (output, entries, manifest) = Pack("PyChecks");
        Assert.That(Directory.GetFiles(output, "PyChecks.*.snupkg"), Has.Length.EqualTo(1), "symbols ship as a .snupkg");
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.dll"));
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.xml"));
        Assert.That(entries, Does.Contain("README.md"));
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>"));
        Assert.That(manifest, Does.Contain("<readme>README.md</readme>"));
        Assert.That(manifest, Does.Contain("<repository type=\"git\""));
        Assert.That(manifest, Does.Contain("<id>PyChecks</id>"));
        Assert.That(manifest, Does.Contain("<releaseNotes>").And.Contain("CHANGELOG.md"));
        Assert.That(manifest, Does.Contain("<tags>python cpython embedding checks monitoring metrics datadog</tags>"));
    }

    [Test]
    public void Pack_ProducesTheControlApiPackage_WithItsFrameworkReferenceAndTheCoreAsDependency()
    {
        var (_, entries, manifest) = Pack("PyChecks.AspNetCore");
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.AspNetCore.dll"));
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.AspNetCore.xml"));
        Assert.That(entries, Does.Contain("README.md"));
        Assert.That(manifest, Does.Contain("<id>PyChecks.AspNetCore</id>"));
        Assert.That(manifest, Does.Contain("<dependency id=\"PyChecks\""));
        Assert.That(manifest, Does.Contain("<frameworkReference name=\"Microsoft.AspNetCore.App\" />"));
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>"));
    }

    [Test]
    public void Pack_ProducesTheToolPackage_ThatInstallsThePychecksCommand()
    {
        var (output, entries, manifest) = Pack("PyChecks.Tool");
        Assert.That(entries, Does.Contain("tools/net10.0/any/PyChecks.Tool.dll"));
        Assert.That(entries, Does.Contain("tools/net10.0/any/PyChecks.dll"), "the library it runs checks with");
        Assert.That(entries, Does.Contain("tools/net10.0/any/DotnetToolSettings.xml"));
        Assert.That(entries, Does.Contain("README.md"));
        Assert.That(manifest, Does.Contain("<id>PyChecks.Tool</id>"));
        Assert.That(manifest, Does.Contain("<packageType name=\"DotnetTool\" />"));
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>"));
        using var zip = ZipFile.OpenRead(Directory.GetFiles(output, "PyChecks.Tool.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal)));
        using var settings = new StreamReader(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        Assert.That(settings.ReadToEnd(), Does.Contain("<Command Name=\"pychecks\" EntryPoint=\"PyChecks.Tool.dll\" Runner=\"dotnet\" />"));
    }

    /// <summary>Packs <c>src/&lt;project&gt;</c> in Release into a fresh folder; returns the folder, the package's entries and its nuspec.</summary>
    private static (string Output, IReadOnlyList<string> Entries, string Manifest) Pack(string project)
    {
        string output = Directory.CreateTempSubdirectory("pychecks-pack").FullName;
        var pack = Process.Start(new ProcessStartInfo("dotnet", ["pack", Path.Combine(RepositoryRoot(), "src", project, project + ".csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
        pack.WaitForExit();
        Assert.That(pack.ExitCode, Is.Zero, log);

        string package = Directory.GetFiles(output, project + ".*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        using var zip = ZipFile.OpenRead(package);
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return (output, [.. zip.Entries.Select(e => e.FullName)], nuspec.ReadToEnd());
    }

    /// <summary>The folder of <c>PyChecks.sln</c>, above the test assembly.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PyChecks.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"PyChecks.sln not found above {AppContext.BaseDirectory}");
    }
}
