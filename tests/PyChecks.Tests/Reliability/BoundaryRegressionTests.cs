using System.Numerics;
using NUnit.Framework;
using PyChecks.Checks.Configuration;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>The inputs <see cref="BoundaryFuzzTests"/> found mishandled, each pinned down on its own.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class BoundaryRegressionTests
{
    private const string Trivial = """
        from datadog_checks.base import AgentCheck
        class Trivial(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Aggregator_LoneSurrogates_NonUtf8EventBytes_OddTimestamps_AndIntegers_AreReadByTheDocumentedRules(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("regressions", $$"""
            import aggregator, decimal
            ID = '{{check.Id}}'

            class Boom(Exception):
                pass

            class BadFloat:
                def __float__(self):
                    raise Boom('from __float__')

            class FloatSub(float):
                pass

            class IndexLike:
                def __index__(self):
                    return 2

            def outcome(call):
                try:
                    call()
                    return 'ok'
                except Exception as e:
                    return type(e).__name__

            # A str tag with lone surrogates was silently dropped, while a name with them was kept.
            aggregator.submit_metric(None, ID, aggregator.GAUGE, 'm\ud800', 1.0, ['t:\ud800', 'ok'], '')
            # An event field with lone surrogates raised "must be str, not str"; bytes that are not UTF-8 were altered.
            aggregator.submit_event(None, ID, {'msg_title': 'title \udc00', 'timestamp': float('nan')})
            not_utf8 = outcome(lambda: aggregator.submit_event(None, ID, {'msg_text': b'\xff\xfe'}))
            # A timestamp of inf or 1e300 became 9223372036854775807; a __float__ that raises was swallowed.
            for ts in (float('inf'), 1e300, -1e300, 'soon', 1700000000.9):
                aggregator.submit_event(None, ID, {'msg_title': 'ts', 'timestamp': ts})
            dunder = outcome(lambda: aggregator.submit_event(None, ID, {'timestamp': BadFloat()}))
            # An object whose __class__ claims dict passed for an event dict (and was read as an empty event).
            class LyingDict:
                @property
                def __class__(self):
                    return dict
            lying_event = outcome(lambda: aggregator.submit_event(None, ID, LyingDict()))
            # On 3.9, integers were also read through __int__: a float subclass or a Decimal was truncated.
            float_sub = outcome(lambda: aggregator.submit_histogram_bucket(None, ID, 'h', FloatSub(2.5), 0.0, 1.0, True, '', []))
            decimal_value = outcome(lambda: aggregator.submit_histogram_bucket(None, ID, 'h', decimal.Decimal(3), 0.0, 1.0, True, '', []))
            index_like = outcome(lambda: aggregator.submit_histogram_bucket(None, ID, 'h', IndexLike(), 0.0, 1.0, True, '', []))
            """);
        string Get(string name)
        {
            using var value = module.GetAttr(name);
            return value.As<string>();
        }

        var metric = sender.Metrics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(metric.Name, Is.EqualTo("m\ud800"));
            Assert.That(metric.Tags, Is.EqualTo(new[] { "t:\ud800", "ok" }));
            Assert.That(sender.Events.Select(e => (e.Title, e.Timestamp)), Is.EqualTo(new[]
            {
                ("title \udc00", 0L), ("ts", 0L), ("ts", 0L), ("ts", 0L), ("ts", 0L), ("ts", 1700000000L),
            }));
            Assert.That(Get("not_utf8"), Is.EqualTo("UnicodeDecodeError"));
            Assert.That(Get("dunder"), Is.EqualTo("Boom"));
            Assert.That(Get("lying_event"), Is.EqualTo("TypeError"));
            Assert.That(Get("float_sub"), Is.EqualTo("TypeError"));
            Assert.That(Get("decimal_value"), Is.EqualTo("TypeError"));
            Assert.That(Get("index_like"), Is.EqualTo("ok"));
            Assert.That(sender.HistogramBuckets.Single().Value, Is.EqualTo(2));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DatadogAgent_BadHttpHost_SelfContainingConfig_AndSurrogatesInTheCache_RaiseTheirOwnErrors(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        var loop = new List<object?> { "self" };
        loop.Add(loop);
        using var host = folder.Start([], o => o.AgentConfig.Values["loop"] = loop);
        _ = CheckFolder.LoadAll(host);
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.CreateModule("agent_regressions", """
            import datadog_agent

            def outcome(call):
                try:
                    return 'ok: {!r}'.format(call())
                except Exception as e:
                    return '{}: {}'.format(type(e).__name__, e)

            # Each was a RuntimeError 'PyChecks host error: ...' (a .NET exception turned into Python).
            http_host = outcome(lambda: datadog_agent.headers({}, http_host=5))
            loop = outcome(lambda: datadog_agent.get_config('loop'))
            # '\ud800' and '\udc00' were both stored as U+FFFD: one key read the other's value, and values lost their surrogates.
            surrogate_key = outcome(lambda: datadog_agent.write_persistent_cache('\ud800', 'v'))
            surrogate_value = outcome(lambda: datadog_agent.write_persistent_cache('k', 'v\udc00'))
            datadog_agent.write_persistent_cache('\ufffd', 'replacement character')
            other_key = outcome(lambda: datadog_agent.read_persistent_cache('\udc00'))
            """);
        string Get(string name)
        {
            using var value = module.GetAttr(name);
            return value.As<string>();
        }

        Assert.Multiple(() =>
        {
            Assert.That(Get("http_host"), Is.EqualTo("TypeError: headers() argument 1 (http_host) must be str, not int"));
            Assert.That(Get("loop"), Does.StartWith("ValueError: the agent configuration value cannot be converted to Python"));
            Assert.That(Get("surrogate_key"), Does.StartWith("UnicodeEncodeError"));
            Assert.That(Get("surrogate_value"), Does.StartWith("UnicodeEncodeError"));
            Assert.That(Get("other_key"), Does.StartWith("UnicodeEncodeError"));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Conversions_IntsBeyond4300Digits_DeepConfigurations_AndTuplesInCheckIds(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("deep", """
            from datadog_checks.base import AgentCheck
            class Deep(AgentCheck):
                def check(self, instance):
                    value, depth = instance['deep'], 0
                    while isinstance(value, list):
                        value, depth = value[0], depth + 1
                    self.gauge('depth', depth)
                    self.warnings.append(10 ** 5000)
            """);
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var huge = BigInteger.Pow(10, 5000);
        using (var gil = host.Runtime.AcquireGil())
        {
            // CPython 3.9.14+, 3.10.7+ and 3.11+ refuse str() of such an int: ToClr dereferenced the NULL it got (the host crashed); FromClr raised ValueError.
            using var module = PyObject.CreateModule("huge", "value = -10 ** 5000\ndef is_huge(x):\n    return x == 10 ** 5000\n");
            using var value = module.GetAttr("value");
            Assert.That(value.ToClr(), Is.EqualTo(-huge));
            using var back = PyObject.FromClr(huge);
            using var isHuge = module.GetAttr("is_huge");
            using var same = isHuge.Call(back);
            Assert.That(same.As<bool>(), Is.True);
        }

        // 150 levels passed the configuration's limit (200) but not the conversion's (100): the check could not load.
        object? deep = "leaf";
        for (int i = 0; i < 150; i++)
        {
            deep = new List<object?> { deep };
        }

        var config = new CheckConfig
        {
            Name = "deep",
            Instances =
            [
                new Dictionary<string, object?> { ["deep"] = deep, ["pair"] = ("a", new List<object?> { 1L }) },
                new Dictionary<string, object?> { ["deep"] = deep, ["pair"] = ("a", new List<object?> { 2L }) },
            ],
        };
        var instances = CheckConfigReader.Resolve(config); // a tuple's items were left out of the check id: "identical instances"
        Assert.That(instances[0].CheckId, Is.Not.EqualTo(instances[1].CheckId));
        using var check = host.Load(instances[0]);
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(sender.Metrics.Single().Value, Is.EqualTo(150));
        Assert.That(result.Warnings.Single(), Has.Length.EqualTo(5001), "a warning that is a huge int is reported as its text");
    });
}
