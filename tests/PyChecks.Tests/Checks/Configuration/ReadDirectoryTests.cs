using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>Datadog's <c>conf.d</c> layout: which files configure which check, and how errors stay per file.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ReadDirectoryTests
{
    private const string OneInstance = "instances:\n  - {}\n";

    [Test]
    public void ReadDirectory_TopLevelFiles_ConfigureTheCheckNamedByTheFile()
    {
        using var conf = new ConfDirectory();
        string redis = conf.Write("redis.yaml", OneInstance);
        string nginx = conf.Write("nginx.yml", OneInstance);

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Configs.Select(c => (c.Name, c.Source)), Is.EqualTo(new[] { ("nginx", nginx), ("redis", redis) }));
    }

    [Test]
    public void ReadDirectory_DotDFolder_EachFileIsOneConfigOfThatCheck()
    {
        using var conf = new ConfDirectory();
        string first = conf.Write("postgres.d/conf.yaml", OneInstance);
        string second = conf.Write("postgres.d/replica.yml", OneInstance);
        string top = conf.Write("postgres.yaml", OneInstance);

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Configs.Select(c => (c.Name, c.Source)), Is.EqualTo(new[] { ("postgres", first), ("postgres", second), ("postgres", top) }));
    }

    [Test]
    public void ReadDirectory_DefaultFile_IsUsedWhenNothingElseConfiguresTheCheck()
    {
        using var conf = new ConfDirectory();
        string cpu = conf.Write("cpu.yaml.default", OneInstance);
        string disk = conf.Write("disk.d/conf.yaml.default", OneInstance);

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Configs.Select(c => (c.Name, c.Source)), Is.EqualTo(new[] { ("cpu", cpu), ("disk", disk) }));
    }

    [Test]
    public void ReadDirectory_DefaultFile_IsIgnoredWhenTheCheckHasARealFile()
    {
        using var conf = new ConfDirectory();
        conf.Write("cpu.yaml.default", "this default is never parsed: [\n");
        string cpu = conf.Write("cpu.yaml", OneInstance);
        conf.Write("disk.yaml.default", OneInstance);
        string disk = conf.Write("disk.d/conf.yaml", OneInstance);
        conf.Write("mem.d/conf.yaml.default", OneInstance);
        string mem = conf.Write("mem.yml", OneInstance);

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Configs.Select(c => (c.Name, c.Source)), Is.EqualTo(new[] { ("cpu", cpu), ("disk", disk), ("mem", mem) }));
    }

    [Test]
    public void ReadDirectory_DefaultFile_IsNotUsedWhenTheRealFileIsBroken()
    {
        using var conf = new ConfDirectory();
        conf.Write("cpu.yaml.default", OneInstance);
        string broken = conf.Write("cpu.yaml", "instances: oops\n");

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Configs, Is.Empty);
        Assert.That(result.Errors.Select(e => e.File), Is.EqualTo(new[] { broken }));
    }

    [Test]
    public void ReadDirectory_OtherFiles_AreIgnored()
    {
        using var conf = new ConfDirectory();
        string only = conf.Write("redis.yaml", OneInstance);
        conf.Write("README.md", "# not a config\n");
        conf.Write("redis.json", "{}");
        conf.Write("redis.yaml.bak", "broken: [\n");
        conf.Write(".hidden.yaml", "broken: [\n");
        conf.Write("sub/nested.yaml", "broken: [\n");
        conf.Write("redis.d/auto_conf.yaml", "ad_identifiers: [redis]\ninstances: [{host: '%%host%%'}]\n");
        conf.Write("redis.d/metrics.yaml", "jmx_metrics: []\n");
        conf.Write("redis.d/notes.txt", "broken: [\n");
        conf.Write("redis.d/deeper.d/conf.yaml", "broken: [\n");
        conf.Write(".d/conf.yaml", "broken: [\n");

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Configs.Select(c => c.Source), Is.EqualTo(new[] { only }));
    }

    [Test]
    public void ReadDirectory_OneBadFile_IsReportedAndTheOthersAreRead()
    {
        using var conf = new ConfDirectory();
        string bad = conf.Write("apache.yaml", "init_config:\ninstances:\n  - host: a\n  - 42\n");
        string alsoBad = conf.Write("mysql.d/conf.yaml", "instances:\n\t- host: a\n");
        string good = conf.Write("redis.yaml", OneInstance);

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Configs.Select(c => c.Source), Is.EqualTo(new[] { good }));
        Assert.That(result.Errors.Select(e => e.Message), Is.EqualTo(new[]
        {
            $"{bad}, line 4, column 5: instance 2 must be a mapping, not the number 42",
            $"{alsoBad}, line 2, column 1: tabs are not allowed in YAML indentation; use spaces",
        }));
    }

    [Test]
    public void ReadDirectory_MissingDirectory_IsOneErrorThatNamesIt()
    {
        using var conf = new ConfDirectory();
        string missing = Path.Combine(conf.Path, "conf.d");

        var result = CheckConfigReader.ReadDirectory(missing);

        Assert.That(result.Configs, Is.Empty);
        Assert.That(result.Errors.Single().Message, Is.EqualTo($"{missing}: the configuration directory does not exist"));
        Assert.That(result.Errors.Single().File, Is.EqualTo(missing));
    }

    [Test]
    public void ReadDirectory_PathIsAFile_SaysItIsNotADirectory()
    {
        using var conf = new ConfDirectory();
        string file = conf.Write("conf.d", "not a directory");

        var result = CheckConfigReader.ReadDirectory(file);

        Assert.That(result.Errors.Single().Message, Is.EqualTo($"{file}: the configuration directory is a file, not a directory"));
    }

    [Test]
    public void ReadDirectory_EmptyDirectory_FindsNothingAndNoErrors()
    {
        using var conf = new ConfDirectory();

        var result = CheckConfigReader.ReadDirectory(conf.Path);

        Assert.That(result.Configs, Is.Empty);
        Assert.That(result.Errors, Is.Empty);
    }
}
