using System.Diagnostics;
using System.IO.Compression;
using NUnit.Framework;

namespace PyChecks.Tests;

/// <summary>The core project packs into a NuGet package a user can consume.</summary>
[TestFixture]
public sealed class PackagingTests
{
    [Test]
    public void Pack_ProducesAPackageWithTheAssemblyXmlDocsReadmeAndLicense()
    {
        string root = RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("pychecks-pack").FullName;
        var pack = Process.Start(new ProcessStartInfo("dotnet", ["pack", Path.Combine(root, "src", "PyChecks", "PyChecks.csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
        pack.WaitForExit();
        Assert.That(pack.ExitCode, Is.Zero, log);

        string package = Directory.GetFiles(output, "PyChecks.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        Assert.That(Directory.GetFiles(output, "PyChecks.*.snupkg"), Has.Length.EqualTo(1), "symbols ship as a .snupkg");
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.dll"));
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.xml"));
        Assert.That(entries, Does.Contain("README.md"));

        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string manifest = nuspec.ReadToEnd();
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>"));
        Assert.That(manifest, Does.Contain("<readme>README.md</readme>"));
        Assert.That(manifest, Does.Contain("<repository type=\"git\""));
        Assert.That(manifest, Does.Contain("<id>PyChecks</id>"));
    }

    [Test]
    public void Pack_ProducesTheControlApiPackage_WithItsFrameworkReferenceAndTheCoreAsDependency()
    {
        string root = RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("pychecks-pack").FullName;
        var pack = Process.Start(new ProcessStartInfo("dotnet", ["pack", Path.Combine(root, "src", "PyChecks.AspNetCore", "PyChecks.AspNetCore.csproj"), "-c", "Release", "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
        pack.WaitForExit();
        Assert.That(pack.ExitCode, Is.Zero, log);

        string package = Directory.GetFiles(output, "PyChecks.AspNetCore.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.AspNetCore.dll"));
        Assert.That(entries, Does.Contain("lib/net10.0/PyChecks.AspNetCore.xml"));
        Assert.That(entries, Does.Contain("README.md"));

        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        string manifest = nuspec.ReadToEnd();
        Assert.That(manifest, Does.Contain("<id>PyChecks.AspNetCore</id>"));
        Assert.That(manifest, Does.Contain("<dependency id=\"PyChecks\""));
        Assert.That(manifest, Does.Contain("<frameworkReference name=\"Microsoft.AspNetCore.App\" />"));
        Assert.That(manifest, Does.Contain("<license type=\"expression\">MIT</license>"));
    }

    private static string RepositoryRoot()
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
