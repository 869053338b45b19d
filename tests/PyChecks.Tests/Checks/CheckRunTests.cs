using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>Checks written for Datadog's Agent run unmodified and what they submit reaches the host's senders.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckRunTests
{
    /// <summary>Datadog's documented first custom check, unchanged.</summary>
    private const string HelloCheck = """
        # the following try/except block will make the custom check compatible with any Agent version
        try:
            # first, try to import the base class from new versions of the Agent...
            from datadog_checks.base import AgentCheck
        except ImportError:
            # ...if the above failed, the check is running in Agent version < 6.6.0
            from checks import AgentCheck

        # content of the special variable __version__ will be shown in the Agent status page
        __version__ = "1.0.0"

        class HelloCheck(AgentCheck):
            def check(self, instance):
                self.gauge('hello.world', 1, tags=['TAG_KEY:TAG_VALUE'] + self.instance.get('tags', []))
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void DatadogCustomCheck_Unmodified_ItsGaugeReachesACustomSenderWithTheRightTags(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hello", HelloCheck).Config("hello", """
            init_config:

            instances:
              - min_collection_interval: 30
                tags:
                  - env:dev
                service: web
            """);
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.Hostname = "test-host");
        var check = CheckFolder.LoadAll(host).Single();

        Assert.That(check.Name, Is.EqualTo("hello"));
        Assert.That(check.Version, Is.EqualTo("1.0.0"));
        Assert.That(check.Interval, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(check.Id, Does.Match("^hello:[0-9a-f]{16}$"));
        Assert.That(check.Source, Is.EqualTo("python:" + Path.Combine(folder.ChecksDirectory, "hello.py")));

        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(result.Metrics, Is.EqualTo(1));
        var metric = sender.Metrics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(metric.CheckId, Is.EqualTo(check.Id));
            Assert.That(metric.Type, Is.EqualTo(MetricType.Gauge));
            Assert.That(metric.Name, Is.EqualTo("hello.world"));
            Assert.That(metric.Value, Is.EqualTo(1.0));
            Assert.That(metric.Tags, Is.EqualTo(new[] { "TAG_KEY:TAG_VALUE", "env:dev", "service:web" }));
            Assert.That(metric.Hostname, Is.EqualTo(string.Empty));
        });
        Assert.That(sender.Commits.Single(), Is.EqualTo(new CheckRunSummary { CheckId = check.Id, CheckName = "hello", Succeeded = true, Metrics = 1, ServiceChecks = 0, Events = 0, HistogramBuckets = 0 }));
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void EverySubmissionKind_ArrivesWithAllItsFields(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("kinds", """
            from datadog_checks.base import AgentCheck

            class KindsCheck(AgentCheck):
                __NAMESPACE__ = 'ns'

                def check(self, instance):
                    self.gauge('g', 1.5, tags=['a:1', b'b:2'], hostname='h1')
                    self.count('c', 3, device_name='sda')
                    self.monotonic_count('m', 10, flush_first_value=True)
                    self.rate('r', 0.5)
                    self.histogram('hi', 7)
                    self.historate('hr', 8)
                    self.gauge('raw.name', 2, raw=True)
                    self.service_check('can_connect', AgentCheck.CRITICAL, tags=['port:80'], hostname='h2', message='refused')
                    self.event({
                        'timestamp': 1700000000, 'event_type': 'deploy', 'msg_title': 'Deployed', 'msg_text': 'v2 is out',
                        'priority': 'low', 'alert_type': 'success', 'aggregation_key': 'deploys', 'source_type_name': 'ci',
                        'host': 'h3', 'tags': ['team:core'],
                    })
                    import aggregator
                    aggregator.submit_histogram_bucket(self, self.check_id, 'latency', 4, 0.0, 0.5, True, 'h4', ['le:0.5'])
            """).Config("kinds", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);

        var metrics = sender.Metrics.ToDictionary(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Keys, Is.EquivalentTo(new[] { "ns.g", "ns.c", "ns.m", "ns.r", "ns.hi", "ns.hr", "raw.name" }));
            Assert.That(metrics["ns.g"], Is.EqualTo(new RecordedMetric { CheckId = check.Id, Type = MetricType.Gauge, Name = "ns.g", Value = 1.5, Tags = metrics["ns.g"].Tags, Hostname = "h1", FlushFirstValue = false }));
            Assert.That(metrics["ns.g"].Tags, Is.EqualTo(new[] { "a:1", "b:2" }));
            Assert.That(metrics["ns.c"].Type, Is.EqualTo(MetricType.Count));
            Assert.That(metrics["ns.c"].Tags, Is.EqualTo(new[] { "device:sda" }));
            Assert.That(metrics["ns.m"].Type, Is.EqualTo(MetricType.MonotonicCount));
            Assert.That(metrics["ns.m"].FlushFirstValue, Is.True);
            Assert.That(metrics["ns.r"].Type, Is.EqualTo(MetricType.Rate));
            Assert.That(metrics["ns.hi"].Type, Is.EqualTo(MetricType.Histogram));
            Assert.That(metrics["ns.hr"].Type, Is.EqualTo(MetricType.Historate));

            var serviceCheck = sender.ServiceChecks.Single();
            Assert.That(serviceCheck.Name, Is.EqualTo("ns.can_connect"));
            Assert.That(serviceCheck.Status, Is.EqualTo(ServiceCheckStatus.Critical));
            Assert.That(serviceCheck.Tags, Is.EqualTo(new[] { "port:80" }));
            Assert.That(serviceCheck.Hostname, Is.EqualTo("h2"));
            Assert.That(serviceCheck.Message, Is.EqualTo("refused"));

            var checkEvent = sender.Events.Single();
            Assert.That(checkEvent.CheckId, Is.EqualTo(check.Id));
            Assert.That(checkEvent.Title, Is.EqualTo("Deployed"));
            Assert.That(checkEvent.Text, Is.EqualTo("v2 is out"));
            Assert.That(checkEvent.Timestamp, Is.EqualTo(1700000000));
            Assert.That(checkEvent.Priority, Is.EqualTo("low"));
            Assert.That(checkEvent.AlertType, Is.EqualTo("success"));
            Assert.That(checkEvent.AggregationKey, Is.EqualTo("deploys"));
            Assert.That(checkEvent.SourceTypeName, Is.EqualTo("ci"));
            Assert.That(checkEvent.EventType, Is.EqualTo("deploy"));
            Assert.That(checkEvent.Host, Is.EqualTo("h3"));
            Assert.That(checkEvent.Tags, Is.EqualTo(new[] { "team:core" }));

            var bucket = sender.HistogramBuckets.Single();
            Assert.That(bucket, Is.EqualTo(new RecordedHistogramBucket { CheckId = check.Id, Name = "latency", Value = 4, LowerBound = 0.0, UpperBound = 0.5, Monotonic = true, Hostname = "h4", Tags = bucket.Tags }));
            Assert.That(bucket.Tags, Is.EqualTo(new[] { "le:0.5" }));

            Assert.That(result.Metrics, Is.EqualTo(7));
            Assert.That(result.ServiceChecks, Is.EqualTo(1));
            Assert.That(result.Events, Is.EqualTo(1));
            Assert.That(result.HistogramBuckets, Is.EqualTo(1));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Tags_OfEveryShape_FollowDatadogsNormalization_OnTheFastPathToo(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("shapes", """
            from datadog_checks.base import AgentCheck

            class ShapesCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('list', 1.0, tags=['a:1', b'b:2', None, 3, b'bad:\xff', 'c:3'])
                    self.gauge('tuple', 1.0, tags=('a:1', 'b:2'))
                    self.gauge('one.str', 1.0, tags='a:1')
                    self.gauge('none', 1.0)
                    self.gauge('device', 1.0, tags=['a:1'], device_name='sda')
                    self.gauge('int.value', 2, tags=['a:1'])
                    for i in range(3):
                        self.gauge('dynamic.' + str(i), float(i), tags=['n:' + str(i)])
                    self.gauge('seventy', 1.0, tags=['t:%d' % i for i in range(70)])
                    self.gauge('twelve', 1.0, tags=['t:%d' % i for i in range(12)])
                    self.gauge('repeats.configured', 1.0, tags=('env:dev', 'a:1'))
            """).Config("shapes", "instances: [{tags: ['env:dev']}]\n");
        var sender = new InMemorySender();
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var host = folder.Start([sender], loggerFactory: factory);
        var check = CheckFolder.LoadAll(host).Single();
        for (int run = 0; run < 2; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        var metrics = sender.Metrics.Skip(sender.Metrics.Count / 2).ToDictionary(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(metrics["list"].Tags, Is.EqualTo(new[] { "a:1", "b:2", "c:3", "env:dev" }));
            Assert.That(metrics["tuple"].Tags, Is.EqualTo(new[] { "a:1", "b:2", "env:dev" }));
            Assert.That(metrics["one.str"].Tags, Is.EqualTo(new[] { "a:1", "env:dev" }));
            Assert.That(metrics["none"].Tags, Is.EqualTo(new[] { "env:dev" }));
            Assert.That(metrics["device"].Tags, Is.EqualTo(new[] { "device:sda", "a:1", "env:dev" }));
            Assert.That(metrics["int.value"].Value, Is.EqualTo(2.0));
            Assert.That(metrics["dynamic.2"].Tags, Is.EqualTo(new[] { "n:2", "env:dev" }));
            Assert.That(metrics["dynamic.2"].Value, Is.EqualTo(2.0));
            Assert.That(metrics["seventy"].Tags, Is.EqualTo(Enumerable.Range(0, 70).Select(i => $"t:{i}").Append("env:dev")), "more tags than the tag buffer first holds (64)");
            Assert.That(metrics["twelve"].Tags, Is.EqualTo(Enumerable.Range(0, 12).Select(i => $"t:{i}").Append("env:dev")), "twelve tags of its own and the configured one");
            Assert.That(metrics["repeats.configured"].Tags, Is.EqualTo(new[] { "env:dev", "a:1" }));
            Assert.That(logs.Entries.Count(e => e.Level == LogLevel.Warning && e.Message == "Encoding error with tag `b'bad:\\xff'` for metric `list`, ignoring tag"), Is.EqualTo(2));
        });
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SubmissionMethods_WrittenInC_BehaveAsOrdinaryMethods_ForOverridesMocksAndEveryCallShape(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("shapes", """
            import inspect
            from unittest import mock

            import aggregator
            from pychecks import AgentCheck


            def overriding():
                class Overriding(AgentCheck):
                    def gauge(self, name, value, tags=None, **kwargs):
                        super().gauge('overridden.' + name, value * 2, tags=tags, **kwargs)

                return Overriding


            class ShapesCheck(AgentCheck):
                def check(self, instance):
                    assert isinstance(self, aggregator._AgentCheckBase)
                    parameters = inspect.signature(AgentCheck.gauge).parameters
                    assert list(parameters) == ['self', 'name', 'value', 'tags', 'hostname', 'device_name', 'raw'], parameters
                    assert parameters['tags'].default is None and parameters['raw'].default is False, parameters
                    assert 'flush_first_value=False' in str(inspect.signature(AgentCheck.monotonic_count))
                    self.gauge('plain', 1.0, tags=['a:1'])
                    self.gauge(name='kw', value=2)
                    self.gauge('host', 3.0, hostname='h1')
                    self.gauge('dev', 4.0, device_name='sda')
                    other = overriding()('other', {}, [{}])
                    other.check_id = self.check_id
                    other.gauge('x', 5.0)
                    with mock.patch.object(AgentCheck, 'gauge') as patched:
                        self.gauge('mocked', 1)
                    assert patched.call_args == mock.call('mocked', 1), patched.call_args
                    with mock.patch.object(self, 'count', autospec=True) as patched:
                        self.count('mocked.count', 1, tags=['b:2'])
                    assert patched.call_args == mock.call('mocked.count', 1, tags=['b:2']), patched.call_args
                    for call, label in ((lambda: self.gauge('bad', 'x'), 'bad'), (lambda: self.gauge('x'), 'missing'),
                                        (lambda: self.gauge('x', 1, unknown=1), 'unknown'),
                                        (lambda: self.gauge('x', 1, name='y'), 'twice')):
                        try:
                            call()
                        except (TypeError, ValueError) as e:
                            self.gauge(label + '.refused', 1.0, tags=['error:' + type(e).__name__])
                    self.monotonic_count('mono', 6, flush_first_value=True)
                    AgentCheck.gauge(self, 'unbound', 7.0)
                    self.count('count', 8)
                    self.rate('rate', 9, tags=('t:1',))
                    self.histogram('hist', 10)
                    self.historate('histo', 11)
                    self.__NAMESPACE__ = 'ns'
                    self.gauge('namespaced', 12)
                    self.gauge('raw', 13, raw=True)
            """).Config("shapes", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);

        var metrics = sender.Metrics.ToDictionary(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Keys, Is.EquivalentTo(new[]
            {
                "plain", "kw", "host", "dev", "overridden.x", "bad.refused", "missing.refused", "unknown.refused", "twice.refused",
                "mono", "unbound", "count", "rate", "hist", "histo", "ns.namespaced", "raw",
            }));
            Assert.That(metrics["plain"].Tags, Is.EqualTo(new[] { "a:1" }));
            Assert.That(metrics["kw"].Value, Is.EqualTo(2.0));
            Assert.That(metrics["host"].Hostname, Is.EqualTo("h1"));
            Assert.That(metrics["dev"].Tags, Does.Contain("device:sda"));
            Assert.That(metrics["overridden.x"].Value, Is.EqualTo(10.0));
            Assert.That(metrics["bad.refused"].Tags, Is.EqualTo(new[] { "error:ValueError" }));
            Assert.That(metrics["missing.refused"].Tags, Is.EqualTo(new[] { "error:TypeError" }));
            Assert.That(metrics["unknown.refused"].Tags, Is.EqualTo(new[] { "error:TypeError" }));
            Assert.That(metrics["twice.refused"].Tags, Is.EqualTo(new[] { "error:TypeError" }));
            Assert.That(metrics["mono"].Type, Is.EqualTo(MetricType.MonotonicCount));
            Assert.That(metrics["mono"].FlushFirstValue, Is.True);
            Assert.That(metrics["count"].Type, Is.EqualTo(MetricType.Count));
            Assert.That(metrics["rate"].Type, Is.EqualTo(MetricType.Rate));
            Assert.That(metrics["rate"].Tags, Is.EqualTo(new[] { "t:1" }));
            Assert.That(metrics["hist"].Type, Is.EqualTo(MetricType.Histogram));
            Assert.That(metrics["histo"].Type, Is.EqualTo(MetricType.Historate));
            Assert.That(metrics.Values.Select(m => m.CheckId).Distinct(), Is.EqualTo(new[] { check.Id }));
        });
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Namespace_ReadWithoutALookup_FollowsEveryWayOfSettingIt_AsPythonReadsIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // The submission methods read AgentCheck's __NAMESPACE__ from the instance's slot, and a type's choice by its
        // version tag: each change below, made between two submissions of one run, must show in the next sample's name
        // exactly as self.__NAMESPACE__ reads it in Python. Each step submits twice, the second time from the cache.
        var folder = new CheckFolder().Check("namespaces", """
            from pychecks import AgentCheck


            def others():
                # In a function, so that the loader finds NamespacesCheck alone.
                class Prefixed(AgentCheck):
                    __NAMESPACE__ = 'cls'

                class Looked(AgentCheck):
                    def __getattribute__(self, name):
                        if name == '__NAMESPACE__':
                            return 'looked'
                        return super().__getattribute__(name)

                return Prefixed, Looked


            class NamespacesCheck(AgentCheck):
                def step(self, label):
                    for i in range(2):
                        self.gauge(label, i, tags=['expect:' + (self.__NAMESPACE__ or '')])

                def check(self, instance):
                    assert AgentCheck.__NAMESPACE__ == '' and type(self).__NAMESPACE__ == ''
                    self.step('plain')
                    self.__NAMESPACE__ = 'inst'
                    self.step('instance')
                    self.__dict__['__NAMESPACE__'] = 'ignored'  # a data descriptor wins over the dict, in Python as here
                    self.step('dict')
                    del self.__dict__['__NAMESPACE__']
                    del self.__NAMESPACE__
                    self.step('deleted')
                    type(self).__NAMESPACE__ = 'late'  # a class attribute set during the run shadows AgentCheck's
                    self.step('class')
                    del type(self).__NAMESPACE__
                    self.step('restored')
                    self.__NAMESPACE__ = None
                    self.step('none')
                    Prefixed, Looked = others()
                    for other_type in (Prefixed, Looked):
                        other = other_type('other', {}, [{}])
                        other.check_id = self.check_id
                        for i in range(2):
                            other.gauge(other_type.__name__.lower(), i, tags=['expect:' + other.__NAMESPACE__])
                    Prefixed.__NAMESPACE__ = ''
                    other = Prefixed('other', {}, [{}])
                    other.check_id = self.check_id
                    other.gauge('emptied', 1, tags=['expect:'])
            """).Config("namespaces", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);

        var names = sender.Metrics.Select(m => (m.Name, Expected: m.Tags.Single())).ToList();
        Assert.Multiple(() =>
        {
            // The layouts the fast paths read were found as expected, so they were taken on this Python.
            Assert.That(PyChecks.Interop.CPython.ObjectLayoutVerified, Is.True, "object layout");
            Assert.That(PyChecks.Interop.CPython.TypeVersionTagsVerified, Is.True, "type version tags");
            Assert.That(names, Has.Count.EqualTo(19));
            foreach (var (name, expected) in names)
            {
                string prefix = expected["expect:".Length..];
                string label = prefix.Length == 0 ? name : name[(prefix.Length + 1)..];
                Assert.That(name, Is.EqualTo(prefix.Length == 0 ? label : $"{prefix}.{label}"), $"sample {name} tagged {expected}");
            }

            Assert.That(names.Select(n => n.Name), Is.EqualTo(new[]
            {
                "plain", "plain", "inst.instance", "inst.instance", "inst.dict", "inst.dict", "deleted", "deleted",
                "late.class", "late.class", "restored", "restored", "none", "none", "cls.prefixed", "cls.prefixed",
                "looked.looked", "looked.looked", "emptied",
            }));
        });
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Values_OfEveryShape_AreConvertedAsDatadogDoes_WhicheverPathTheyTake(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("values", """
            import aggregator
            from datadog_checks.base import AgentCheck

            class ValuesCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('float', 1.5)
                    self.gauge('int', 2)
                    self.gauge('bool', True)
                    self.gauge('str', '3.5')
                    self.gauge('none', None)
                    self.monotonic_count('flush.truthy', 1.0, flush_first_value=1)
                    self.gauge(b'bytes.name', 1.0)
                    fast = aggregator._submit_metric_fast
                    assert fast(self, self.check_id, aggregator.GAUGE, 'x', 'not a number', [], False) is False
                    assert fast(self, self.check_id, aggregator.GAUGE, 'x', 1.0, 'a:1', False) is False
                    assert fast(self, self.check_id, 99, 'x', 1.0, [], False) is False
                    assert fast(self, self.check_id, aggregator.GAUGE, 'x', 10 ** 400, [], False) is False
                    try:
                        self.gauge('huge', 10 ** 400)
                    except ValueError as e:
                        self.gauge('huge.refused', 1.0, tags=['message:' + str(e)[:28]])
            """).Config("values", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);

        var metrics = sender.Metrics.ToDictionary(m => m.Name);
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Keys, Is.EquivalentTo(new[] { "float", "int", "bool", "str", "flush.truthy", "bytes.name", "huge.refused" }));
            Assert.That(metrics["float"].Value, Is.EqualTo(1.5));
            Assert.That(metrics["int"].Value, Is.EqualTo(2.0));
            Assert.That(metrics["bool"].Value, Is.EqualTo(1.0));
            Assert.That(metrics["str"].Value, Is.EqualTo(3.5));
            Assert.That(metrics["flush.truthy"].FlushFirstValue, Is.True);
            Assert.That(metrics["huge.refused"].Tags, Is.EqualTo(new[] { "message:Metric: 'huge' has non float" }));
            Assert.That(result.Metrics, Is.EqualTo(7));
        });
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void EachRun_GetsAFreshCopyOfTheInstance_WithSharingKept(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("mutating", """
            from datadog_checks.base import AgentCheck

            class MutatingCheck(AgentCheck):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    shared = ['x']
                    self.instances[0]['a'] = shared
                    self.instances[0]['b'] = shared

                def check(self, instance):
                    self.gauge('seen', float(len(instance['nested']['items'])), tags=instance['tags'])
                    self.gauge('shared', 1.0 if instance['a'] is instance['b'] and instance['a'] is not self.instances[0]['a'] else 0.0)
                    instance['nested']['items'].append(1)
                    instance['tags'].append('added:1')
            """).Config("mutating", "instances: [{tags: ['env:dev'], nested: {items: [1, 2]}}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        for (int run = 0; run < 2; run++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        }

        Assert.That(sender.Metrics.Where(m => m.Name == "seen").Select(m => m.Value), Is.EqualTo(new[] { 2.0, 2.0 }));
        Assert.That(sender.Metrics.Where(m => m.Name == "seen").Select(m => string.Join(",", m.Tags)), Is.EqualTo(new[] { "env:dev", "env:dev" }), "the tag the check appended did not persist");
        Assert.That(sender.Metrics.Where(m => m.Name == "shared").Select(m => m.Value), Is.EqualTo(new[] { 1.0, 1.0 }));
        check.Dispose();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void CheckThatRaises_ReportsMessageAndTraceback_KeepsEarlierSamples_AndRunsAgain(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("flaky", """
            from datadog_checks.base import AgentCheck

            class FlakyCheck(AgentCheck):
                runs = 0

                def check(self, instance):
                    FlakyCheck.runs += 1
                    self.gauge('before.raise', FlakyCheck.runs)
                    self.warning('slow answer from %s', 'db')
                    if FlakyCheck.runs == 1:
                        self.explode()

                def explode(self):
                    raise ConnectionError('database unreachable')
            """).Config("flaky", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();

        var failed = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(failed.Succeeded, Is.False);
        Assert.That(failed.Error, Is.EqualTo("database unreachable"));
        Assert.That(failed.Traceback, Does.Contain("in explode").And.Contain("ConnectionError: database unreachable"));
        Assert.That(failed.Warnings, Is.EqualTo(new[] { "slow answer from db" }));
        Assert.That(sender.Metrics.Single().Name, Is.EqualTo("before.raise"), "a sample submitted before the raise is delivered");
        Assert.That(sender.Commits.Single().Succeeded, Is.False, "and committed with the failed run");

        var second = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(second.Succeeded, Is.True, second.Error);
        Assert.That(sender.Metrics.Select(m => m.Value), Is.EqualTo(new[] { 1.0, 2.0 }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SystemExitAndKeyboardInterruptInACheck_AreFailedRuns_AndTheHostGoesOn(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("quitter", """
                import sys
                from datadog_checks.base import AgentCheck
                class Quitter(AgentCheck):
                    def check(self, instance):
                        sys.exit(3)
                """)
            .Check("interrupted", """
                from datadog_checks.base import AgentCheck
                class Interrupted(AgentCheck):
                    def check(self, instance):
                        raise KeyboardInterrupt()
                """)
            .Config("quitter", "instances: [{}]\n")
            .Config("interrupted", "instances: [{}]\n");
        using var host = folder.Start([]);
        var results = CheckFolder.LoadAll(host).ToDictionary(c => c.Name, c => c.RunAsync().GetAwaiter().GetResult());
        Assert.That(results["quitter"].Succeeded, Is.False);
        Assert.That(results["quitter"].Error, Is.EqualTo("SystemExit: 3"));
        Assert.That(results["interrupted"].Error, Is.EqualTo("KeyboardInterrupt"));
        using var gil = host.Runtime.AcquireGil();
        using var math = PyObject.Import("math");
        Assert.That(math.IsNone, Is.False, "Python still works");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASenderThatThrows_IsIsolated_AndTheOtherSendersStillReceive(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("hello", HelloCheck).Config("hello", "instances: [{}]\n");
        var recorder = new InMemorySender();
        long before = CheckHost.SenderErrors;
        using var host = folder.Start([new ThrowingSender(), recorder]);
        var check = CheckFolder.LoadAll(host).Single();
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(recorder.Metrics, Has.Count.EqualTo(1));
        Assert.That(recorder.Commits, Has.Count.EqualTo(1));
        Assert.That(CheckHost.SenderErrors - before, Is.EqualTo(2), "the metric and the commit each failed once in the throwing sender");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Cancel_CallsTheChecksCancel(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("cancellable", """
            from datadog_checks.base import AgentCheck
            class Cancellable(AgentCheck):
                cancelled = False
                def check(self, instance):
                    self.gauge('cancelled', 1 if Cancellable.cancelled else 0)
                def cancel(self):
                    Cancellable.cancelled = True
            """).Config("cancellable", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        check.Cancel();
        check.RunAsync().GetAwaiter().GetResult();
        Assert.That(sender.Metrics.Single().Value, Is.EqualTo(1.0));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASecondRunWhileTheFirstIsInProgress_IsRefused_AndAnEmptyErrorNamesTheException(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("slow", """
            import time
            from datadog_checks.base import AgentCheck
            class Slow(AgentCheck):
                def check(self, instance):
                    time.sleep(0.5)
                    raise ValueError()
            """).Config("slow", "instances: [{}]\n");
        using var host = folder.Start([]);
        var check = CheckFolder.LoadAll(host).Single();
        var first = check.RunAsync();
        var second = check.RunAsync();
        var refused = Assert.ThrowsAsync<InvalidOperationException>(async () => await second)!;
        Assert.That(refused.Message, Does.Contain("is already running"));
        var result = first.GetAwaiter().GetResult();
        Assert.That(result.Error, Is.EqualTo("ValueError"));
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Error, Is.EqualTo("ValueError"), "the check runs again once the first run ended");
        check.Dispose();
        Assert.Throws<ObjectDisposedException>(() => check.RunAsync());
    });

    private sealed class ThrowingSender : ISender
    {
        public void SubmitMetric(in MetricSample sample) => throw new InvalidOperationException("sender down");

        public void SubmitServiceCheck(in ServiceCheckSample sample) => throw new InvalidOperationException("sender down");

        public void SubmitEvent(CheckEvent checkEvent) => throw new InvalidOperationException("sender down");

        public void SubmitHistogramBucket(in HistogramBucketSample sample) => throw new InvalidOperationException("sender down");

        public void Commit(in CheckRunSummary run) => throw new InvalidOperationException("sender down");
    }
}
