using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>
/// What is read, and how much: a file over <see cref="PyChecksOptions.MaxConfigFileBytes"/> is refused naming its size
/// and the option, and the configuration of one check opens only that check's files.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ConfigFileLimitTests
{
    [Test]
    public void ReadFile_OverTheLimit_IsRefusedBeforeReading_NamingTheFileItsSizeAndTheOption()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("big.yaml", "instances: []\n");
        // A sparse 64 MiB file of zero bytes: reading it would decode 64 MiB of NULs; its size alone refuses it.
        using (var stream = File.OpenWrite(path))
        {
            stream.SetLength(64L * 1024 * 1024);
        }

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "big"))!;

        Assert.That(error.File, Is.EqualTo(path));
        Assert.That(error.Line, Is.Null);
        Assert.That(error.Message, Is.EqualTo(
            $"{path}: the file is 67108864 bytes, over the limit of 4194304 bytes for a configuration file (PyChecksOptions.MaxConfigFileBytes); raise the limit if the file is meant to be this large"));
    }

    [Test]
    public void ReadFile_AtTheLimit_IsRead_AndOneByteMoreIsNot()
    {
        using var conf = new ConfDirectory();
        string yaml = "instances: [{}]\n";
        string path = conf.Write("edge.yaml", yaml);

        Assert.That(CheckConfigReader.ReadFile(path, "edge", maxFileBytes: yaml.Length).Instances, Has.Count.EqualTo(1));
        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "edge", maxFileBytes: yaml.Length - 1))!;
        Assert.That(error.Message, Does.Contain($"the file is {yaml.Length} bytes, over the limit of {yaml.Length - 1} bytes"));
    }

    [Test]
    public void ReadFile_AFileWithoutASize_StopsReadingAtTheLimit()
    {
        // /dev/zero says it holds 0 bytes and never ends: the limit applies to what is read, not only to the size.
        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile("/dev/zero", "zero", maxFileBytes: 1024 * 1024))!;

        Assert.That(error.Message, Is.EqualTo(
            "/dev/zero: the file is more than 1048576 bytes as read (more than its size said when it was opened), over the limit of 1048576 bytes for a configuration file (PyChecksOptions.MaxConfigFileBytes); raise the limit if the file is meant to be this large"));
    }

    [TestCase(0L)]
    [TestCase(-1L)]
    [TestCase(2L << 30)]
    public void HostStart_WithALimitOutOfRange_IsRefusedBeforePythonStarts(long limit)
    {
        // Without AddPyChecks nothing validates the options: the host does. A Python that cannot start proves the order.
        var options = new PyChecksOptions { MaxConfigFileBytes = limit, Python = new PythonRuntimeOptions { Python = "/no/such/libpython3.so" } };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CheckHost.Start(options))!;

        Assert.That(error.Message, Does.StartWith("PyChecksOptions.MaxConfigFileBytes must be between 1 and 1073741824 bytes"));
        Assert.That(PythonRuntime.Current, Is.Null);
    }

    [Test]
    public void ReadDirectory_AFileOverTheLimit_IsOneError_AndTheOthersAreRead()
    {
        using var conf = new ConfDirectory();
        conf.Write("small.yaml", "instances: [{}]\n");
        string big = conf.Write("big.yaml", "instances: [{pad: '" + new string('x', 200) + "'}]\n");

        var result = CheckConfigReader.ReadDirectory(conf.Path, maxFileBytes: 100);

        Assert.That(result.Configs.Select(c => c.Name), Is.EqualTo(new[] { "small" }));
        Assert.That(result.Errors.Single().File, Is.EqualTo(big));
        Assert.That(result.Errors.Single().Message, Does.Contain("over the limit of 100 bytes"));
    }

    [Test]
    public void ReadDirectory_OfOneCheck_OpensOnlyItsFiles_WhateverTheOthersHold()
    {
        using var conf = new ConfDirectory();
        string top = conf.Write("disk.yaml", "instances: [{name: top}]\n");
        string inFolder = conf.Write("disk.d/more.yaml", "instances: [{name: more}]\n");
        conf.Write("disk.d/auto_conf.yaml", "ad_identifiers: [x]\ninit_config:\ninstances: [{}]\n");
        conf.Write("disk.yaml.default", "instances: [{name: default}]\n");

        // Files that fail if they are opened: too large, not UTF-8, not YAML (in another check's folder, and a name one letter off).
        using (var stream = File.OpenWrite(Path.Combine(conf.Path, "huge.yaml")))
        {
            stream.SetLength(64L * 1024 * 1024);
        }

        conf.WriteBytes("latin.yaml", [.. "instances: [{tag: caf"u8, 0xE9, .. "}]\n"u8]);
        conf.Write("broken.d/conf.yaml", "instances: [{]\n");
        conf.Write("disks.yaml", "instances: [{]\n");

        var one = CheckConfigReader.ReadDirectory(conf.Path, "disk");
        var all = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(one.Errors, Is.Empty);
        Assert.That(one.Configs.Select(c => c.Source), Is.EqualTo(new[] { inFolder, top }));
        Assert.That(all.Errors, Has.Count.EqualTo(4), "read whole, the same directory has four bad files");
    }

    [Test]
    public void ReadDirectory_OfACheckNothingConfigures_FindsNothing_AndAPathIsNotFollowed()
    {
        using var conf = new ConfDirectory();
        conf.Write("disk.yaml", "instances: [{}]\n");
        string outside = Path.Combine(Path.GetDirectoryName(conf.Path)!, Path.GetFileName(conf.Path) + "-outside.yaml");
        File.WriteAllText(outside, "instances: [{}]\n");
        try
        {
            Assert.That(CheckConfigReader.ReadDirectory(conf.Path, "dsik"), Has.Property("Configs").Empty.And.Property("Errors").Empty);
            Assert.That(CheckConfigReader.ReadDirectory(conf.Path, "../" + Path.GetFileNameWithoutExtension(outside)), Has.Property("Configs").Empty.And.Property("Errors").Empty);
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
