using NUnit.Framework;
using PyChecks.Sample;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>
/// <c>check &lt;name&gt;</c> and <c>conf.d</c>: only the named check's files are read, each within the size limit and
/// strictly decoded, and a misspelled name gets the configured names close to it.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SampleCheckCommandConfigTests
{
    private const string ProbeCheck = "from datadog_checks.base import AgentCheck\nclass Probe(AgentCheck):\n    def check(self, instance):\n        self.gauge('probe.up', 1)\n";

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OtherChecksFiles_AreNotRead_HoweverLargeOrBrokenTheyAre(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("probe", ProbeCheck).Config("probe", "instances: [{name: top}]\n");
        Directory.CreateDirectory(Path.Combine(folder.ConfigDirectory, "probe.d"));
        File.WriteAllText(Path.Combine(folder.ConfigDirectory, "probe.d", "more.yaml"), "instances: [{name: more}]\n");

        // Generated here, never committed: a sparse 64 MiB file (far over the limit), bytes that are not UTF-8, broken
        // YAML in another check's folder, and a configured check whose module ends the process if it is imported.
        using (var huge = File.OpenWrite(Path.Combine(folder.ConfigDirectory, "huge.yaml")))
        {
            huge.SetLength(64L * 1024 * 1024);
        }

        File.WriteAllBytes(Path.Combine(folder.ConfigDirectory, "latin.yaml"), [.. "instances: [{tag: caf"u8, 0xE9, .. "}]\n"u8]);
        Directory.CreateDirectory(Path.Combine(folder.ConfigDirectory, "broken.d"));
        File.WriteAllText(Path.Combine(folder.ConfigDirectory, "broken.d", "conf.yaml"), "instances: [{]\n");
        folder.Check("exiter", "import os\nos._exit(3)\n").Config("exiter", "instances: [{}]\n");

        var (exit, output, error) = Run(["probe", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);

        Assert.That(exit, Is.EqualTo(CheckCommand.ExitSucceeded), output + error);
        Assert.That(output, Does.Not.Contain("Not loaded").And.Not.Contain("huge").And.Not.Contain("latin").And.Not.Contain("broken"));
        Assert.That(output, Does.Match(@"=== probe:more:[0-9a-f]{16} · run 1 of 1 ===").And.Match(@"=== probe:top:[0-9a-f]{16} · run 1 of 1 ==="));
        Assert.That(output, Does.EndWith("\nprobe: 2 instances, 2 runs: 2 succeeded, 0 failed\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TheChecksOwnFiles_NotUtf8OrOverTheLimit_AreReportedWithFileLineAndSize_AndTheGoodOneRuns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("probe", ProbeCheck).Config("probe", "instances: [{name: good}]\n");
        string folderD = Directory.CreateDirectory(Path.Combine(folder.ConfigDirectory, "probe.d")).FullName;
        string latin = Path.Combine(folderD, "latin.yaml");
        File.WriteAllBytes(latin, [.. "instances:\n  - tags: [caf"u8, 0xE9, .. "]\n"u8]);
        string big = Path.Combine(folderD, "big.yaml");
        File.WriteAllText(big, "instances: [{pad: '" + new string('x', 2000) + "'}]\n");

        var (exit, output, _) = Run(["probe", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory], o => o.MaxConfigFileBytes = 1024);

        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed), output);
        Assert.That(output, Does.Contain($"\nNot loaded: {latin}, line 2, column 15: invalid UTF-8: 0xE9 (in 0xE9 0x5D 0x0A) does not form a character;"));
        Assert.That(output, Does.Contain($"\nNot loaded: {big}: the file is 2023 bytes, over the limit of 1024 bytes for a configuration file (PyChecksOptions.MaxConfigFileBytes)"));
        Assert.That(output, Does.EndWith("\nprobe: 1 instance, 2 not loaded, 1 run: 1 succeeded, 0 failed\n"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AMisspelledName_ExitsOne_SuggestingTheConfiguredNamesCloseToIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("disk", ProbeCheck).Config("disk", "instances: [{}]\n").Config("network", "instances: [{}]\n");
        Directory.CreateDirectory(Path.Combine(folder.ConfigDirectory, "disks.d"));
        File.WriteAllText(Path.Combine(folder.ConfigDirectory, "disks.d", "conf.yaml"), "instances: [{}]\n");

        var (exit, output, _) = Run(["dsik", "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory]);

        Assert.That(exit, Is.EqualTo(CheckCommand.ExitFailed), output);
        Assert.That(output, Does.EndWith($"\nNo check named 'dsik' is configured in {folder.ConfigDirectory}; did you mean 'disk'?\n"));
        Assert.That(output, Does.Not.Contain("=== disk"), "a suggestion is not a guess that runs");
    });

    private static (int Exit, string Output, string Error) Run(string[] args, Action<PyChecksOptions>? configure = null)
        => SampleCheckCommandTests.Run(args, configure);
}
