using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>Resolving instances: the reserved keys, their defaults, and errors that name the file, line and key.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ResolveTests
{
    [Test]
    public void Resolve_InstanceWithoutReservedKeys_GetsTheDefaults()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("redis.yaml", "init_config:\n  t: 1\ninstances:\n  - host: a\n");
        var config = CheckConfigReader.ReadFile(path, "redis");

        var instance = CheckConfigReader.Resolve(config).Single();

        Assert.Multiple(() =>
        {
            Assert.That(instance.CheckName, Is.EqualTo("redis"));
            Assert.That(instance.CheckId, Does.Match("^redis:[0-9a-f]{16}$"));
            Assert.That(instance.Interval, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(instance.Tags, Is.Empty);
            Assert.That(instance.Service, Is.Null);
            Assert.That(instance.InstanceName, Is.Null);
            Assert.That(instance.EmptyDefaultHostname, Is.False);
            Assert.That(instance.Source, Is.EqualTo(path));
            Assert.That(instance.Line, Is.EqualTo(4));
            Assert.That(instance.Instance, Is.SameAs(config.Instances[0]));
            Assert.That(instance.InitConfig, Is.SameAs(config.InitConfig));
            Assert.That(instance.ToString(), Is.EqualTo(instance.CheckId));
        });
    }

    [Test]
    public void Resolve_ReservedKeys_AreRead()
    {
        var instance = ResolveOne("""
            instances:
              - name: primary
                min_collection_interval: 30
                tags: [env:prod, 42, team:db, ~, true]
                service: billing
                empty_default_hostname: yes
            """);

        Assert.Multiple(() =>
        {
            Assert.That(instance.Interval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(instance.Tags, Is.EqualTo(new[] { "env:prod", "team:db", "service:billing" }), "non-string tags are dropped; service is appended");
            Assert.That(instance.Service, Is.EqualTo("billing"));
            Assert.That(instance.InstanceName, Is.EqualTo("primary"));
            Assert.That(instance.CheckId, Does.Match("^check:primary:[0-9a-f]{16}$"));
            Assert.That(instance.EmptyDefaultHostname, Is.True);
        });
    }

    [TestCase("0", 15.0)]
    [TestCase("0.0", 15.0)]
    [TestCase("~", 15.0)]
    [TestCase("1", 1.0)]
    [TestCase("2.5", 2.5)]
    [TestCase("3600", 3600.0)]
    public void Resolve_MinCollectionInterval_IsSecondsWithZeroMeaningTheDefault(string value, double seconds)
        => Assert.That(ResolveOne($"instances:\n  - min_collection_interval: {value}\n").Interval, Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("-1", "the number -1")]
    [TestCase("-0.5", "the number -0.5")]
    [TestCase("'30'", "the string '30'")]
    [TestCase("thirty", "the string 'thirty'")]
    [TestCase("true", "true")]
    [TestCase("[30]", "a list")]
    [TestCase(".nan", "the number NaN")]
    public void Resolve_MinCollectionIntervalNegativeOrNotANumber_ReportsFileLineAndKey(string value, string described)
    {
        var error = ResolveInvalid($"init_config:\ninstances:\n  - host: a\n  - host: b\n    min_collection_interval: {value}\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 5, column 30: instance 2: 'min_collection_interval' must be a number of seconds, 0 or more, not {described}"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((path, 5, 30)));
    }

    [Test]
    public void Resolve_MinCollectionIntervalInfinite_IsTooLarge()
    {
        var error = ResolveInvalid("instances:\n  - min_collection_interval: .inf\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 30: instance 1: 'min_collection_interval' is too large: the number Infinity"));
    }

    [TestCase("env:prod", "the string 'env:prod'")]
    [TestCase("{env: prod}", "a mapping")]
    [TestCase("5", "the number 5")]
    public void Resolve_TagsNotAList_ReportsFileLineAndKey(string value, string described)
    {
        var error = ResolveInvalid($"instances:\n  - tags: {value}\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 11: instance 1: 'tags' must be a list of strings, not {described}"));
    }

    [Test]
    public void Resolve_TagsNull_AreEmpty()
        => Assert.That(ResolveOne("instances:\n  - tags:\n").Tags, Is.Empty);

    [Test]
    public void Resolve_ServiceTagAlreadyPresent_IsNotRepeated()
        => Assert.That(ResolveOne("instances:\n  - tags: [service:web, a]\n    service: web\n").Tags, Is.EqualTo(new[] { "service:web", "a" }));

    [TestCase("service", "5", "the number 5")]
    [TestCase("service", "[a]", "a list")]
    [TestCase("name", "true", "true")]
    [TestCase("name", "{a: 1}", "a mapping")]
    public void Resolve_ServiceOrNameNotAString_ReportsFileLineAndKey(string key, string value, string described)
    {
        var error = ResolveInvalid($"instances:\n  - {key}: {value}\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column {key.Length + 7}: instance 1: '{key}' must be a string, not {described}"));
    }

    [Test]
    public void Resolve_EmptyServiceAndName_CountAsAbsent()
    {
        var instance = ResolveOne("instances:\n  - service: ''\n    name: ''\n");

        Assert.Multiple(() =>
        {
            Assert.That(instance.Service, Is.Null);
            Assert.That(instance.InstanceName, Is.Null);
            Assert.That(instance.Tags, Is.Empty);
            Assert.That(instance.CheckId, Does.Match("^check:[0-9a-f]{16}$"));
        });
    }

    [Test]
    public void Resolve_EmptyDefaultHostnameNotABool_ReportsFileLineAndKey()
    {
        var error = ResolveInvalid("instances:\n  - empty_default_hostname: 'yes'\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 29: instance 1: 'empty_default_hostname' must be true or false, not the string 'yes'"));
    }

    [Test]
    public void Resolve_TwoIdenticalInstances_IsAnErrorNamingBoth()
    {
        var error = ResolveInvalid("instances:\n  - host: a\n  - host: b\n  - host: a\n", out string path);

        Assert.That(error.Message, Does.Match(
            $"^{System.Text.RegularExpressions.Regex.Escape(path)}, line 4, column 5: instance 3: the instance is identical to instance 1 \\(check id check:[0-9a-f]{{16}}\\); remove one, or give each a different 'name'$"));
    }

    [Test]
    public void Resolve_EachInstance_KeepsItsOwnLine()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("c.yaml", "instances:\n  - host: a\n\n  - host: b\n    port: 1\n  - {host: c}\n"), "c");

        Assert.That(CheckConfigReader.Resolve(config).Select(i => i.Line), Is.EqualTo(new int?[] { 2, 4, 6 }));
    }

    [Test]
    public void Resolve_CodeConfig_AcceptsClrNumbersAndHasNoLine()
    {
        var config = new CheckConfig
        {
            Name = "http",
            InitConfig = new Dictionary<string, object?> { ["timeout"] = 5 },
            Instances =
            [
                new Dictionary<string, object?> { ["url"] = "http://a", ["min_collection_interval"] = 60, ["tags"] = new[] { "env:dev" } },
                new Dictionary<string, object?> { ["url"] = "http://b", ["min_collection_interval"] = 0.5f },
            ],
        };

        var instances = CheckConfigReader.Resolve(config);

        Assert.Multiple(() =>
        {
            Assert.That(instances.Select(i => i.Interval), Is.EqualTo(new[] { TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(0.5) }));
            Assert.That(instances[0].Tags, Is.EqualTo(new[] { "env:dev" }));
            Assert.That(instances.Select(i => (i.Source, i.Line)), Is.EqualTo(new[] { ("code", (int?)null), ("code", (int?)null) }));
        });
    }

    [Test]
    public void Resolve_CodeConfigError_NamesTheCheckAndInstanceButNoFile()
    {
        var config = new CheckConfig
        {
            Name = "http",
            Instances = [new Dictionary<string, object?>(), new Dictionary<string, object?> { ["min_collection_interval"] = -5 }],
        };

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(config))!;

        Assert.That(error.Message, Is.EqualTo("check 'http' (code), instance 2: 'min_collection_interval' must be a number of seconds, 0 or more, not the number -5"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo(((string?)null, (int?)null, (int?)null)));
    }

    [Test]
    public void Resolve_CodeConfigWithANullInstance_SaysSo()
    {
        var config = new CheckConfig { Name = "http", Instances = [null!] };

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(config))!;

        Assert.That(error.Message, Is.EqualTo("check 'http' (code), instance 1: the instance is null; an instance is a mapping"));
    }

    [Test]
    public void Resolve_CodeConfigThatContainsItself_IsAnErrorNotAStackOverflow()
    {
        var loop = new List<object?>();
        loop.Add(loop);
        var config = new CheckConfig { Name = "x", Instances = [new Dictionary<string, object?> { ["loop"] = loop }] };

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(config))!;

        Assert.That(error.Message, Is.EqualTo("check 'x' (code), instance 1: the instance or init_config nests deeper than 200 levels; does a list or mapping contain itself?"));
    }

    [Test]
    public void Resolve_EmptyCheckName_IsAnError()
    {
        var config = new CheckConfig { Name = " ", Instances = [] };

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(config))!;

        Assert.That(error.Message, Is.EqualTo("the check name is empty (configuration from code)"));
    }

    [Test]
    public void CheckConfig_NullInitConfig_IsEmpty()
        => Assert.That(new CheckConfig { Name = "x", Instances = [], InitConfig = null! }.InitConfig, Is.Empty);

    private static CheckInstanceConfig ResolveOne(string yaml)
    {
        using var conf = new ConfDirectory();
        return CheckConfigReader.Resolve(CheckConfigReader.ReadFile(conf.Write("check.yaml", yaml), "check")).Single();
    }

    private static CheckConfigurationException ResolveInvalid(string yaml, out string path)
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(path = conf.Write("check.yaml", yaml), "check");
        return Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.Resolve(config))!;
    }
}
