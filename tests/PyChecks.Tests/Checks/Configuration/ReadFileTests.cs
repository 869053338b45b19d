using System.Globalization;
using NUnit.Framework;
using PyChecks.Checks.Configuration;
using YamlDotNet.Core;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>One configuration file: its shape, and every way it can be wrong, each naming file, line and column.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ReadFileTests
{
    [Test]
    public void ReadFile_WellFormed_GivesNameInitConfigInstancesAndSource()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("redis.yaml", """
            init_config:
              timeout: 5
            instances:
              - host: localhost
                port: 6379
              - host: cache.internal
            """);

        var config = CheckConfigReader.ReadFile(path, "redis");

        Assert.Multiple(() =>
        {
            Assert.That(config.Name, Is.EqualTo("redis"));
            Assert.That(config.Source, Is.EqualTo(path));
            Assert.That(config.InitConfig, Is.EqualTo(new Dictionary<string, object?> { ["timeout"] = 5L }));
            Assert.That(config.Instances, Has.Count.EqualTo(2));
            Assert.That(config.Instances[0], Is.EqualTo(new Dictionary<string, object?> { ["host"] = "localhost", ["port"] = 6379L }));
            Assert.That(config.Instances[1], Is.EqualTo(new Dictionary<string, object?> { ["host"] = "cache.internal" }));
            Assert.That(config.InstanceLocations!.Select(l => l.Start), Is.EqualTo(new[] { new TextPosition(4, 5), new TextPosition(6, 5) }));
            Assert.That(config.InstanceLocations![0].Of("port"), Is.EqualTo(new TextPosition(5, 11)));
        });
    }

    [TestCase("instances: []\n", TestName = "ReadFile_EmptyInstanceList_IsValidWithZeroInstances")]
    [TestCase("init_config:\ninstances: []\n", TestName = "ReadFile_NullInitConfig_IsEmpty")]
    [TestCase("init_config: ~\ninstances: []\n", TestName = "ReadFile_TildeInitConfig_IsEmpty")]
    public void ReadFile_NoInstancesAndNoInitConfig_IsValid(string yaml)
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("empty.yaml", yaml), "empty");

        Assert.That(config.Instances, Is.Empty);
        Assert.That(config.InitConfig, Is.Empty);
    }

    [Test]
    public void ReadFile_InstancesNotAList_ReportsFileLineAndColumn()
    {
        var error = ReadInvalid("init_config:\ninstances: localhost\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 12: 'instances' must be a list of mappings, not the string 'localhost'"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((path, 2, 12)));
    }

    [Test]
    public void ReadFile_InstancesIsAMapping_SaysItMustBeAList()
    {
        var error = ReadInvalid("instances:\n  host: localhost\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 3: 'instances' must be a list of mappings, not a mapping"));
    }

    [Test]
    public void ReadFile_InstancesNull_SaysItMustBeAList()
    {
        var error = ReadInvalid("init_config:\ninstances:\n", out string path);

        Assert.That(error.Message, Does.StartWith($"{path}, line 2, column ").And.EndWith(": 'instances' must be a list of mappings, not null"));
    }

    [Test]
    public void ReadFile_InstancesMissing_NamesTheFileAndTheKey()
    {
        var error = ReadInvalid("init_config:\n  a: 1\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}: 'instances' is missing; a check configuration needs a list of instances ('instances: []' for none)"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((path, (int?)null, (int?)null)));
    }

    [Test]
    public void ReadFile_InstanceNotAMapping_ReportsItsNumberAndLine()
    {
        var error = ReadInvalid("instances:\n  - host: a\n  - just-a-host\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 3, column 5: instance 2 must be a mapping, not the string 'just-a-host'"));
    }

    [Test]
    public void ReadFile_EmptyInstanceItem_IsAnInstanceWithNoKeys()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("network.yaml", "init_config:\n\ninstances:\n  - host: a\n  -\n");

        var config = CheckConfigReader.ReadFile(path, "network");

        Assert.That(config.Instances, Is.EqualTo(new[] { new Dictionary<string, object?> { ["host"] = "a" }, new Dictionary<string, object?>() }));
        Assert.That(config.InstanceLocations![1].Start.Line, Is.EqualTo(5));
        Assert.That(config.NotRunReason, Is.Null);
    }

    [Test]
    public void ReadFile_LogsBesideInstances_LoadsTheInstances()
    {
        using var conf = new ConfDirectory();
        string path = conf.Write("apache.yaml", """
            init_config:
            instances:
              - apache_status_url: http://localhost/server-status?auto
            logs:
              - type: file
                path: /var/log/apache2/access.log
                source: apache
            cluster_check: false
            """);

        var config = CheckConfigReader.ReadFile(path, "apache");

        Assert.That(config.Instances, Is.EqualTo(new[] { new Dictionary<string, object?> { ["apache_status_url"] = "http://localhost/server-status?auto" } }));
        Assert.That(config.NotRunReason, Is.Null);
    }

    [Test]
    public void Resolve_ClusterCheckAtTheTopOrInAnInstance_MarksClusterChecks()
    {
        using var conf = new ConfDirectory();
        var top = CheckConfigReader.Resolve(CheckConfigReader.ReadFile(conf.Write("http_check.yaml", """
            cluster_check: true
            init_config:
            instances:
              - url: http://a/
            """), "http_check"));
        var own = CheckConfigReader.Resolve(CheckConfigReader.ReadFile(conf.Write("tcp_check.yaml", """
            init_config:
            instances:
              - host: a
                cluster_check: true
              - host: b
            """), "tcp_check"));

        Assert.That(top.Select(static i => i.ClusterCheck), Is.EqualTo(new[] { true }));
        Assert.That(own.Select(static i => i.ClusterCheck), Is.EqualTo(new[] { true, false }));
    }

    [TestCase("logs:\n  - type: file\n    path: /var/log/a.log\n", "only 'logs' is configured", TestName = "ReadFile_LogsOnly_ConfiguresNoInstance")]
    [TestCase("init_config:\ninstances:\nlogs:\n  - type: journald\n", "only 'logs' is configured", TestName = "ReadFile_LogsWithNullInstances_ConfiguresNoInstance")]
    [TestCase("init_config:\n  is_jmx: true\njmx_metrics:\n  - include:\n      domain: a\n", "only 'jmx_metrics' is configured", TestName = "ReadFile_JmxMetricsOnly_ConfiguresNoInstance")]
    [TestCase("ad_identifiers:\n  - httpd\ninit_config:\ninstances:\n  - url: http://%%host%%/\n", "an Autodiscovery template ('ad_identifiers')", TestName = "ReadFile_AutodiscoveryTemplate_ConfiguresNoInstance")]
    [TestCase("ad_identifiers:\n  - redis\nlogs:\n  - type: docker\n", "an Autodiscovery template ('ad_identifiers')", TestName = "ReadFile_AutodiscoveryWithoutInstances_ConfiguresNoInstance")]
    public void ReadFile_FileTheAgentAcceptsWithNothingToRun_HasNoInstanceAndSaysWhy(string yaml, string reason)
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("any.yaml", yaml), "any");

        Assert.That(config.Instances, Is.Empty);
        Assert.That(config.NotRunReason, Does.StartWith(reason));
        Assert.That(CheckConfigReader.Resolve(config), Is.Empty);
    }

    [Test]
    public void ReadFile_InitConfigNotAMapping_ReportsLine()
    {
        var error = ReadInvalid("init_config: [a, b]\ninstances: []\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 1, column 14: 'init_config' must be a mapping or empty, not a list"));
    }

    [Test]
    public void ReadFile_InitConfigAString_ReportsLine()
    {
        var error = ReadInvalid("instances: []\ninit_config: none\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 14: 'init_config' must be a mapping or empty, not the string 'none'"));
    }

    [TestCase("- a\n- b\n", "a list", TestName = "ReadFile_TopLevelList_SaysItMustBeAMapping")]
    [TestCase("hello\n", "the string 'hello'", TestName = "ReadFile_TopLevelString_SaysItMustBeAMapping")]
    [TestCase("~\n", "null", TestName = "ReadFile_TopLevelNull_SaysItMustBeAMapping")]
    public void ReadFile_TopLevelNotAMapping_SaysSo(string yaml, string described)
    {
        var error = ReadInvalid(yaml, out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 1, column 1: the top level must be a mapping with 'init_config' and 'instances', not {described}"));
    }

    [TestCase("", TestName = "ReadFile_EmptyFile_SaysItIsEmpty")]
    [TestCase("# instances: []\n\n", TestName = "ReadFile_OnlyComments_SaysItIsEmpty")]
    public void ReadFile_NoDocument_SaysItIsEmpty(string yaml)
    {
        var error = ReadInvalid(yaml, out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}: the file is empty; a check configuration is a mapping with 'init_config' and 'instances'"));
    }

    [Test]
    public void ReadFile_MalformedYaml_ReportsTheParsersLineAndColumn()
    {
        var error = ReadInvalid("init_config:\ninstances:\n  - host: a\n   port: 1\n", out string path);

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Is.EqualTo($"{path}, line 4, column 4: invalid YAML: While parsing a block collection, did not find expected '-' indicator"));
            Assert.That((error.Line, error.Column), Is.EqualTo((4, 4)));
            Assert.That(error.InnerException, Is.InstanceOf<YamlException>());
        });
    }

    [Test]
    public void ReadFile_UnclosedQuote_ReportsWhereTheScalarStarts()
    {
        var error = ReadInvalid("instances:\n  - host: 'localhost\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 11: invalid YAML: While scanning a quoted scalar, found unexpected end of stream"));
    }

    [Test]
    public void ReadFile_UnclosedFlowList_ReportsAnErrorNotACrash()
    {
        // YamlDotNet throws InvalidOperationException here instead of a YamlException.
        var error = ReadInvalid("instances:\n  - tags: [a, b\n  - host: x\n", out string path);

        Assert.That(error.Message, Does.StartWith($"{path}, line 2, column ").And.EndWith(": invalid YAML: the YAML is malformed after this point; look for an unclosed '[', '{' or quote"));
    }

    [TestCase("init_config:\ninstances:\n\t- host: a\n", 3, 1, TestName = "ReadFile_TabIndentedInstanceList_SaysTabsAreNotAllowed")]
    [TestCase("instances:\n  - host: a\n\t  port: 1\n", 3, 1, TestName = "ReadFile_TabIndentedInstanceKey_SaysTabsAreNotAllowed")]
    [TestCase("instances:\n  - host: a\n    tags:\n      - a\n    \t- b\n", 5, 5, TestName = "ReadFile_TabAfterSpaces_ReportsTheTabsColumn")]
    public void ReadFile_TabInIndentation_SaysTabsAreNotAllowed(string yaml, int line, int column)
    {
        var error = ReadInvalid(yaml, out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line {line}, column {column}: tabs are not allowed in YAML indentation; use spaces"));
    }

    [Test]
    public void ReadFile_TabInsideALiteralBlock_IsContent()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("t.yaml", "instances:\n  - script: |\n      a\n      \tb\n"), "t");

        Assert.That(config.Instances[0]["script"], Is.EqualTo("a\n\tb\n"));
    }

    [Test]
    public void ReadFile_DuplicateKey_NamesItAndBothLines()
    {
        var error = ReadInvalid("instances:\n  - host: a\n    port: 1\n    host: b\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 4, column 5: invalid YAML: duplicate key 'host' (first at line 2)"));
    }

    [Test]
    public void ReadFile_UnknownAlias_ReportsTheAliasPosition()
    {
        var error = ReadInvalid("instances:\n  - host: a\n  - *other\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 3, column 5: invalid YAML: alias '*other' names no anchor defined before it"));
    }

    [Test]
    public void ReadFile_RecursiveAlias_IsAnErrorNotAStackOverflow()
    {
        var error = ReadInvalid("instances:\n  - &self\n    child: *self\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 3, column 12: invalid YAML: alias '*self' is inside the node it names; recursive structures are not supported"));
    }

    [Test]
    public void ReadFile_TwoDocuments_SaysOneIsExpected()
    {
        var error = ReadInvalid("instances: []\n---\ninstances: []\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 1: invalid YAML: the file holds more than one YAML document ('---'); a check configuration is a single document"));
    }

    [Test]
    public void ReadFile_UnknownTag_NamesIt()
    {
        var error = ReadInvalid("instances:\n  - host: !secret db_host\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 11: invalid YAML: unsupported tag '!secret'; configuration values are strings, numbers, booleans, null, lists and mappings"));
    }

    [Test]
    public void ReadFile_IntTagOnANonInteger_SaysSo()
    {
        var error = ReadInvalid("instances:\n  - port: !!int eighty\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 11: invalid YAML: 'eighty' is tagged !!int but is not a YAML int"));
    }

    [Test]
    public void ReadFile_ComplexKey_SaysKeysMustBeScalars()
    {
        var error = ReadInvalid("instances:\n  - ? [a, b]\n    : 1\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 7: invalid YAML: a mapping key must be a scalar, not a list or a mapping"));
    }

    [Test]
    public void ReadFile_NestingTooDeep_IsAnErrorNotAStackOverflow()
    {
        string deep = new string('[', 10_000) + new string(']', 10_000);
        var error = ReadInvalid($"instances:\n  - deep: {deep}\n", out string path);

        Assert.That(error.Message, Does.StartWith($"{path}, line 2, column ").And.EndWith($": invalid YAML: the YAML nests deeper than {YamlComposer.MaxDepth} levels"));
    }

    [Test]
    public void ReadFile_AliasBomb_IsRefusedBeforeItExpands()
    {
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        yaml.Append("instances: [{bomb: *a8}]\n");
        var error = ReadInvalid(yaml.ToString(), out string path);

        Assert.That(error.Message, Does.StartWith($"{path}, line ").And.EndWith(": invalid YAML: the YAML expands to more than 1,000,000 values through aliases"));
    }

    [Test]
    public void ReadFile_MissingFile_SaysItCannotBeRead()
    {
        using var conf = new ConfDirectory();
        string path = Path.Combine(conf.Path, "absent.yaml");

        var error = Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(path, "absent"))!;

        Assert.That(error.Message, Does.StartWith($"{path}: cannot read the file: "));
        Assert.That(error.File, Is.EqualTo(path));
    }

    [Test]
    public void ReadFile_AnchorsAndAliases_ShareValues()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("a.yaml", """
            init_config:
              common_tags: &tags [env:prod, team:db]
            instances:
              - host: a
                tags: *tags
              - &second
                host: b
              - *second
            """), "a");

        Assert.Multiple(() =>
        {
            Assert.That(config.Instances[0]["tags"], Is.EqualTo(new List<object?> { "env:prod", "team:db" }));
            Assert.That(config.Instances[2], Is.EqualTo(config.Instances[1]));
            Assert.That(config.InstanceLocations![2].Start, Is.EqualTo(new TextPosition(8, 5)));
        });
    }

    [Test]
    public void ReadFile_MergeKeys_MergeAsInPyYaml_WrittenKeysWin()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("m.yaml", """
            init_config:
              defaults: &defaults {port: 5432, timeout: 5, ssl: true}
              more: &more {timeout: 99, retries: 3}
            instances:
              - <<: *defaults
                host: a
                timeout: 10
              - <<: [*more, *defaults]
                host: b
            """), "m");

        Assert.Multiple(() =>
        {
            Assert.That(config.Instances[0], Is.EquivalentTo(new Dictionary<string, object?> { ["port"] = 5432L, ["timeout"] = 10L, ["ssl"] = true, ["host"] = "a" }));
            Assert.That(config.Instances[1], Is.EquivalentTo(new Dictionary<string, object?> { ["timeout"] = 99L, ["retries"] = 3L, ["port"] = 5432L, ["ssl"] = true, ["host"] = "b" }));
            Assert.That(config.InstanceLocations![0].Of("port"), Is.EqualTo(new TextPosition(2, 30)), "a merged value keeps the position where it was written");
            Assert.That(config.InstanceLocations![0].Of("timeout"), Is.EqualTo(new TextPosition(7, 14)));
        });
    }

    [Test]
    public void ReadFile_MergeKeyOnAScalar_SaysItNeedsAMapping()
    {
        var error = ReadInvalid("instances:\n  - <<: 5\n", out string path);

        Assert.That(error.Message, Is.EqualTo($"{path}, line 2, column 5: invalid YAML: the merge key '<<' needs a mapping or a list of mappings"));
    }

    [Test]
    public void ReadFile_NestedCollections_AreDictionariesAndListsKeyedByText()
    {
        using var conf = new ConfDirectory();
        var config = CheckConfigReader.ReadFile(conf.Write("n.yaml", """
            instances:
              - servers:
                  - {host: a, ports: [1, 2]}
                1: one
                true: yes
                ~: tilde
            """), "n");

        var instance = config.Instances[0];
        Assert.Multiple(() =>
        {
            Assert.That(instance, Is.TypeOf<Dictionary<string, object?>>());
            Assert.That(instance.Keys, Is.EqualTo(new[] { "servers", "1", "true", "~" }));
            Assert.That(instance["servers"], Is.TypeOf<List<object?>>());
            var server = (Dictionary<string, object?>)((List<object?>)instance["servers"]!)[0]!;
            Assert.That(server["ports"], Is.EqualTo(new List<object?> { 1L, 2L }));
            Assert.That(instance["true"], Is.EqualTo(true));
        });
    }

    private static CheckConfigurationException ReadInvalid(string yaml, out string path)
    {
        using var conf = new ConfDirectory();
        string file = path = conf.Write("check.yaml", yaml);
        return Assert.Throws<CheckConfigurationException>(() => CheckConfigReader.ReadFile(file, "check"))!;
    }
}
