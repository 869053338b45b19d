using System.Text;
using NUnit.Framework;
using PyChecks.Checks.Configuration;

namespace PyChecks.Tests.Checks.Configuration;

/// <summary>Check ids: Datadog's shape, stable across restarts and key order, different whenever a value differs.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckIdTests
{
    private static readonly Dictionary<string, object?> NoInitConfig = [];

    [Test]
    public void ComputeCheckId_WithoutName_IsCheckNameColonSixteenHexDigits()
        => Assert.That(Id(new() { ["host"] = "a" }), Does.Match("^redis:[0-9a-f]{16}$"));

    [Test]
    public void ComputeCheckId_WithName_PutsTheInstanceNameBetween()
        => Assert.That(Id(new() { ["host"] = "a", ["name"] = "primary" }), Does.Match("^redis:primary:[0-9a-f]{16}$"));

    [Test]
    public void ComputeCheckId_IsAFixedFunctionOfTheConfiguration_SoItSurvivesRestarts()
    {
        // Pinned: changing the canonical form changes every id users have seen in their status pages and metrics.
        var instance = new Dictionary<string, object?>
        {
            ["host"] = "localhost",
            ["port"] = 6379L,
            ["ratio"] = 0.5,
            ["ssl"] = true,
            ["password"] = null,
            ["tags"] = new List<object?> { "env:prod", "team:db" },
            ["options"] = new Dictionary<string, object?> { ["db"] = 0L },
        };
        var initConfig = new Dictionary<string, object?> { ["timeout"] = 5L };

        Assert.That(CheckIdentity.ComputeCheckId("redis", instance, initConfig), Is.EqualTo("redis:1e3b725fd3034ae3"));
    }

    [Test]
    public void ComputeCheckId_KeyOrder_DoesNotMatter()
    {
        var a = new Dictionary<string, object?> { ["host"] = "a", ["port"] = 1L, ["nested"] = new Dictionary<string, object?> { ["x"] = 1L, ["y"] = 2L } };
        var b = new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["y"] = 2L, ["x"] = 1L }, ["port"] = 1L, ["host"] = "a" };
        var initA = new Dictionary<string, object?> { ["p"] = 1L, ["q"] = 2L };
        var initB = new Dictionary<string, object?> { ["q"] = 2L, ["p"] = 1L };

        Assert.That(CheckIdentity.ComputeCheckId("c", a, initA), Is.EqualTo(CheckIdentity.ComputeCheckId("c", b, initB)));
    }

    [Test]
    public void ComputeCheckId_ReorderedKeysInTwoFiles_GiveTheSameId()
    {
        using var conf = new ConfDirectory();
        var first = CheckConfigReader.ReadFile(conf.Write("a.yaml", "init_config: {t: 1, u: 2}\ninstances:\n  - host: a\n    port: 1\n"), "c");
        var second = CheckConfigReader.ReadFile(conf.Write("b.yaml", "instances:\n  - port: 1\n    host: a\ninit_config:\n  u: 2\n  t: 1\n"), "c");

        Assert.That(CheckConfigReader.Resolve(first)[0].CheckId, Is.EqualTo(CheckConfigReader.Resolve(second)[0].CheckId));
    }

    [Test]
    public void ComputeCheckId_SameValuesFromYamlAndFromCode_GiveTheSameId()
    {
        using var conf = new ConfDirectory();
        var fromFile = CheckConfigReader.ReadFile(conf.Write("a.yaml", "instances:\n  - host: a\n    port: 1\n    tags: [x]\n"), "c");
        var fromCode = new CheckConfig
        {
            Name = "c",
            Instances = [new Dictionary<string, object?> { ["host"] = "a", ["port"] = 1, ["tags"] = new[] { "x" } }],
        };

        Assert.That(CheckConfigReader.Resolve(fromCode)[0].CheckId, Is.EqualTo(CheckConfigReader.Resolve(fromFile)[0].CheckId));
    }

    [TestCase("host", "b")]
    [TestCase("port", 2L)]
    [TestCase("port", "1")]
    [TestCase("port", 1.0)]
    [TestCase("port", null)]
    [TestCase("port", true)]
    [TestCase("extra", "x")]
    public void ComputeCheckId_AnyValueOrTypeChange_ChangesTheId(string key, object? value)
    {
        var baseline = new Dictionary<string, object?> { ["host"] = "a", ["port"] = 1L };
        var changed = new Dictionary<string, object?>(baseline) { [key] = value };

        Assert.That(Id(changed), Is.Not.EqualTo(Id(baseline)));
    }

    [Test]
    public void ComputeCheckId_InitConfigChange_ChangesTheId()
    {
        var instance = new Dictionary<string, object?> { ["host"] = "a" };

        Assert.That(
            CheckIdentity.ComputeCheckId("c", instance, new Dictionary<string, object?> { ["t"] = 1L }),
            Is.Not.EqualTo(CheckIdentity.ComputeCheckId("c", instance, new Dictionary<string, object?> { ["t"] = 2L })));
    }

    [Test]
    public void ComputeCheckId_ListOrderAndNesting_Matter()
    {
        string ab = Id(new() { ["tags"] = new List<object?> { "a", "b" } });
        string ba = Id(new() { ["tags"] = new List<object?> { "b", "a" } });
        string joined = Id(new() { ["tags"] = new List<object?> { "ab" } });
        string nested = Id(new() { ["tags"] = new List<object?> { new List<object?> { "a", "b" } } });

        Assert.That(new[] { ab, ba, joined, nested }, Is.Unique);
    }

    [Test]
    public void ComputeCheckId_ValuesMovedBetweenKeys_ChangeTheId()
    {
        // A naive concatenation would make these equal.
        string a = Id(new() { ["a"] = "b:c" });
        string b = Id(new() { ["a:b"] = "c" });

        Assert.That(a, Is.Not.EqualTo(b));
    }

    [Test]
    public void ComputeCheckId_InstanceAndInitConfigAreNotInterchangeable()
    {
        var values = new Dictionary<string, object?> { ["x"] = 1L };

        Assert.That(CheckIdentity.ComputeCheckId("c", values, NoInitConfig), Is.Not.EqualTo(CheckIdentity.ComputeCheckId("c", NoInitConfig, values)));
    }

    [TestCase("", 0xcbf29ce484222325UL)]
    [TestCase("a", 0xaf63dc4c8601ec8cUL)]
    [TestCase("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a64_MatchesTheReferenceVectors(string input, ulong expected)
        => Assert.That(CheckIdentity.Fnv1a64(Encoding.ASCII.GetBytes(input)), Is.EqualTo(expected));

    private static string Id(Dictionary<string, object?> instance) => CheckIdentity.ComputeCheckId("redis", instance, NoInitConfig);
}
