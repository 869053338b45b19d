using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// The Agent's built-ins beyond metrics (<c>send_log</c>, <c>set_external_tags</c>, <c>emit_agent_telemetry</c>,
/// <c>submit_event_platform_event</c>, <c>tagger</c>, <c>containers</c>, <c>kubeutil</c>, <c>util</c>): the Agent's argument
/// rules, and what they report reaches the host.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class AgentBuiltinTests
{
    private const string Trivial = """
        from datadog_checks.base import AgentCheck
        class Trivial(AgentCheck):
            def check(self, instance):
                pass
        """;

    /// <summary>Runs each lambda of <c>cases</c> in <paramref name="source"/> and returns "no error" or "Type: message" per case.</summary>
    internal static Dictionary<string, string> Outcomes(string name, string source)
    {
        using var module = PyObject.CreateModule(name, source + """

            outcomes = {}
            for case_name, case in cases.items():
                try:
                    result = case()
                    outcomes[case_name] = 'no error' if result is None else 'returned ' + repr(result)
                except Exception as e:
                    outcomes[case_name] = '{}: {}'.format(type(e).__name__, e)
            """);
        using var outcomes = module.GetAttr("outcomes");
        return ((Dictionary<object, object?>)outcomes.ToClr()!).ToDictionary(p => (string)p.Key, p => (string)p.Value!);
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void NewFunctions_GoodAndBadArguments_FollowTheAgentsRules(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();
        using var gil = host.Runtime.AcquireGil();
        var outcomes = Outcomes("agent_bad_args", $$"""
            import aggregator, datadog_agent, tagger, containers, kubeutil, util
            ID = '{{check.Id}}'
            cases = {
                'send_log ok': lambda: datadog_agent.send_log('{"message": "hi"}', ID),
                'send_log one argument': lambda: datadog_agent.send_log('x'),
                'send_log line not str': lambda: datadog_agent.send_log(5, ID),
                'external tags ok': lambda: datadog_agent.set_external_tags([('h1', {'vsphere': ['a:1', b'b:2', 3]}), ('h2', {})]),
                'external tags not a list': lambda: datadog_agent.set_external_tags(('h', {})),
                'external tags item not a tuple': lambda: datadog_agent.set_external_tags([['h', {}]]),
                'external tags hostname not str': lambda: datadog_agent.set_external_tags([(1, {})]),
                'external tags second not a dict': lambda: datadog_agent.set_external_tags([('h', ['a'])]),
                'external tags source not str': lambda: datadog_agent.set_external_tags([('h', {1: ['a']})]),
                'external tags value not a list': lambda: datadog_agent.set_external_tags([('h', {'s': 'a:1'})]),
                'telemetry ok': lambda: datadog_agent.emit_agent_telemetry('trivial', 'queries', 2, 'counter'),
                'telemetry value not a number': lambda: datadog_agent.emit_agent_telemetry('trivial', 'queries', 'x', 'counter'),
                'telemetry too few': lambda: datadog_agent.emit_agent_telemetry('trivial', 'queries', 1),
                'telemetry unknown type is logged': lambda: datadog_agent.emit_agent_telemetry('trivial', 'queries', 1, 'summary'),
                'platform event ok': lambda: aggregator.submit_event_platform_event(None, ID, '{"a": 1}', 'dbm-samples'),
                'platform event bytes': lambda: aggregator.submit_event_platform_event(None, ID, b'{"b": 2}', 'dbm-metrics'),
                'platform event not str': lambda: aggregator.submit_event_platform_event(None, ID, {'a': 1}, 'dbm-samples'),
                'platform event type not str': lambda: aggregator.submit_event_platform_event(None, ID, '{}', None),
                'platform event three arguments': lambda: aggregator.submit_event_platform_event(ID, '{}', 'dbm-samples'),
                'tag': lambda: tagger.tag('container_id://abc', tagger.HIGH),
                'tag bad cardinality': lambda: tagger.tag('container_id://abc', 7),
                'tag id not str': lambda: tagger.tag(None, tagger.LOW),
                'get_tags': lambda: tagger.get_tags('container_id://abc', True),
                'constants': lambda: (tagger.LOW, tagger.ORCHESTRATOR, tagger.HIGH),
                'is_excluded': lambda: containers.is_excluded('redis', 'redis:7'),
                'is_excluded namespace': lambda: containers.is_excluded('redis', 'redis:7', 'default'),
                'is_excluded one argument': lambda: containers.is_excluded('redis'),
                'connection info': lambda: kubeutil.get_connection_info(),
                'connection info argument': lambda: kubeutil.get_connection_info(1),
                'util headers': lambda: util.headers({}, http_host='example.com')['Host'],
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["send_log ok"], Is.EqualTo("no error"));
            Assert.That(outcomes["send_log one argument"], Is.EqualTo("TypeError: send_log() takes exactly 2 positional arguments (1 given)"));
            Assert.That(outcomes["send_log line not str"], Is.EqualTo("TypeError: send_log() argument 1 (log_line) must be str, not int"));
            Assert.That(outcomes["external tags ok"], Is.EqualTo("no error"));
            Assert.That(outcomes["external tags not a list"], Is.EqualTo("TypeError: tags must be a list"));
            Assert.That(outcomes["external tags item not a tuple"], Is.EqualTo("TypeError: external host tags list must contain only tuples"));
            Assert.That(outcomes["external tags hostname not str"], Is.EqualTo("TypeError: hostname is not a valid string"));
            Assert.That(outcomes["external tags second not a dict"], Is.EqualTo("TypeError: second elem of the host tags tuple must be a dict"));
            Assert.That(outcomes["external tags source not str"], Is.EqualTo("TypeError: source_type is not a valid string"));
            Assert.That(outcomes["external tags value not a list"], Is.EqualTo("TypeError: dict value must be a list of tags"));
            Assert.That(outcomes["telemetry ok"], Is.EqualTo("no error"));
            Assert.That(outcomes["telemetry value not a number"], Is.EqualTo("TypeError: emit_agent_telemetry() argument 3 (metric_value) must be a real number, not str"));
            Assert.That(outcomes["telemetry too few"], Is.EqualTo("TypeError: emit_agent_telemetry() takes exactly 4 positional arguments (3 given)"));
            Assert.That(outcomes["telemetry unknown type is logged"], Is.EqualTo("no error"));
            Assert.That(outcomes["platform event ok"], Is.EqualTo("no error"));
            Assert.That(outcomes["platform event bytes"], Is.EqualTo("no error"));
            Assert.That(outcomes["platform event not str"], Is.EqualTo("TypeError: submit_event_platform_event() argument 3 (raw_event) must be str or bytes, not dict"));
            Assert.That(outcomes["platform event type not str"], Is.EqualTo("TypeError: submit_event_platform_event() argument 4 (event_type) must be str, not NoneType"));
            Assert.That(outcomes["platform event three arguments"], Is.EqualTo("TypeError: submit_event_platform_event() takes exactly 4 positional arguments (3 given)"));
            Assert.That(outcomes["tag"], Is.EqualTo("returned []"), "the default tagger knows no entity");
            Assert.That(outcomes["tag bad cardinality"], Is.EqualTo("TypeError: Invalid cardinality"));
            Assert.That(outcomes["tag id not str"], Is.EqualTo("TypeError: tag() argument 1 (entity_id) must be str, not NoneType"));
            Assert.That(outcomes["get_tags"], Is.EqualTo("returned []"));
            Assert.That(outcomes["constants"], Is.EqualTo("returned (0, 1, 2)"));
            Assert.That(outcomes["is_excluded"], Is.EqualTo("returned False"));
            Assert.That(outcomes["is_excluded namespace"], Is.EqualTo("returned False"));
            Assert.That(outcomes["is_excluded one argument"], Is.EqualTo("TypeError: is_excluded() takes from 2 to 3 positional arguments (1 given)"));
            Assert.That(outcomes["connection info"], Is.EqualTo("returned {}"));
            Assert.That(outcomes["connection info argument"], Does.StartWith("TypeError: ").And.Contain("get_connection_info() takes no arguments"));
            Assert.That(outcomes["util headers"], Is.EqualTo("returned 'example.com'"));
        });

        Assert.That(sender.Logs.Select(l => (l.CheckId, l.Message)), Is.EqualTo(new[] { (check.Id, "{\"message\": \"hi\"}") }));
        var tags = sender.ExternalTags.Single();
        Assert.That((tags.Hostname, tags.SourceType, tags.Tags), Is.EqualTo(("h1", "vsphere", (IReadOnlyList<string>)["a:1", "b:2"])), "non-str tags skipped; an empty dict sets nothing");
        Assert.That(sender.EventPlatformEvents.Select(e => (e.CheckId, e.EventType, Encoding.UTF8.GetString(e.RawEvent.Span))),
            Is.EqualTo(new[] { (check.Id, "dbm-samples", "{\"a\": 1}"), (check.Id, "dbm-metrics", "{\"b\": 2}") }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AgentCheckReports_DuringARun_ReachTheSendersBeforeTheCommit(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("dbm", """
            import json
            import datadog_agent
            from datadog_checks.base import AgentCheck
            class Dbm(AgentCheck):
                def check(self, instance):
                    self.set_external_tags([(u'db-host', {'postgres': [u'role:primary', b'zone:a']})])
                    self.database_monitoring_query_sample(json.dumps({'query': 'SELECT 1'}))
                    self.database_monitoring_query_metrics(b'{"rows": 3}')
                    self.database_monitoring_query_activity(None)
                    self.database_monitoring_metadata('{"settings": []}')
                    datadog_agent.send_log(json.dumps({'message': 'slow query'}), self.check_id)
            """).Config("dbm", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();

        var result = check.RunAsync().GetAwaiter().GetResult();

        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        var external = sender.ExternalTags.Single();
        Assert.That((external.CheckId, external.Hostname, external.SourceType, external.Tags), Is.EqualTo((check.Id, "db-host", "postgres", (IReadOnlyList<string>)["role:primary", "zone:a"])));
        Assert.That(sender.EventPlatformEvents.Select(e => (e.EventType, Encoding.UTF8.GetString(e.RawEvent.Span))), Is.EqualTo(new[]
        {
            ("dbm-samples", "{\"query\": \"SELECT 1\"}"),
            ("dbm-metrics", "{\"rows\": 3}"),
            ("dbm-metadata", "{\"settings\": []}"),
        }), "None is not submitted, as in the toolkit");
        Assert.That(sender.Logs.Single().Message, Is.EqualTo("{\"message\": \"slow query\"}"));
        Assert.That(sender.Commits.Single().CheckId, Is.EqualTo(check.Id));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void HostServices_AnswerTaggerContainersAndKubeutil(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        var services = new AgentServices { Tagger = new MapTagger(), ContainerFilter = new PauseFilter(), Kubelet = new FixedKubelet() };
        using var host = folder.Start([], agentServices: services);
        using var gil = host.Runtime.AcquireGil();
        var outcomes = Outcomes("agent_services", """
            import tagger, containers, kubeutil
            cases = {
                'high': lambda: tagger.tag('container_id://abc', tagger.HIGH),
                'low': lambda: tagger.tag('container_id://abc', tagger.LOW),
                'get_tags high': lambda: tagger.get_tags('container_id://abc', 1),
                'unknown': lambda: tagger.tag('container_id://zzz', tagger.ORCHESTRATOR),
                'pause excluded': lambda: containers.is_excluded('pause', 'k8s.gcr.io/pause:3.9', 'kube-system'),
                'redis kept': lambda: containers.is_excluded('redis', 'redis:7'),
                'kubelet': lambda: sorted(kubeutil.get_connection_info().items()),
            }
            """);
        Assert.Multiple(() =>
        {
            Assert.That(outcomes["high"], Is.EqualTo("returned ['image_name:redis', 'container_id:abc']"));
            Assert.That(outcomes["low"], Is.EqualTo("returned ['image_name:redis']"));
            Assert.That(outcomes["get_tags high"], Is.EqualTo("returned ['image_name:redis', 'container_id:abc']"));
            Assert.That(outcomes["unknown"], Is.EqualTo("returned []"));
            Assert.That(outcomes["pause excluded"], Is.EqualTo("returned True"));
            Assert.That(outcomes["redis kept"], Is.EqualTo("returned False"));
            Assert.That(outcomes["kubelet"], Is.EqualTo("returned [('url', 'https://10.0.0.1:10250'), ('verify_tls', False)]"));
        });
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AddPyChecks_ARegisteredTagger_AnswersTheChecksTaggerCalls(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("tagged", """
            import tagger
            from datadog_checks.base import AgentCheck
            class Tagged(AgentCheck):
                def check(self, instance):
                    self.gauge('container.up', 1, tags=tagger.tag('container_id://abc', tagger.LOW))
            """).Config("tagged", "instances: [{}]\n");

        using var hosted = HostedChecks.Start(folder, fakeTime: false, services: s => s.AddSingleton<ITagger>(new MapTagger()));
        Eventually.That(() => hosted.Sender.Commits.Count > 0, "the first run");

        Assert.That(hosted.Sender.Metrics.Single().Tags, Is.EqualTo(new[] { "image_name:redis" }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void EmitAgentTelemetry_RecordsOnThePyChecksMeter(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var recorded = new List<(string Instrument, double Value, string Check, string Metric)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName && instrument.Name.StartsWith("pychecks.check.telemetry.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var map = tags.ToArray().ToDictionary(t => t.Key, t => (string)t.Value!);
            lock (recorded)
            {
                recorded.Add((instrument.Name, value, map["check"], map["metric"]));
            }
        });
        listener.Start();

        var folder = new CheckFolder().Check("trivial", Trivial).Config("trivial", "instances: [{}]\n");
        using var host = folder.Start([]);
        using (host.Runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("telemetry", """
                import datadog_agent
                datadog_agent.emit_agent_telemetry('postgres', 'schema_tables', 4, 'counter')
                datadog_agent.emit_agent_telemetry('postgres', 'connections', 2.5, 'gauge')
                datadog_agent.emit_agent_telemetry('postgres', 'query_time', 0.25, 'histogram')
                datadog_agent.emit_agent_telemetry('postgres', 'schema_tables', 1, 'gauge')
                datadog_agent.emit_agent_telemetry('postgres', 'errors', -1, 'counter')
                datadog_agent.emit_agent_telemetry('postgres', 'other', 1, 'summary')
                """);
        }

        Assert.That(recorded, Is.EqualTo(new[]
        {
            (PyChecksTelemetry.CheckTelemetryCounter, 4.0, "postgres", "schema_tables"),
            (PyChecksTelemetry.CheckTelemetryGauge, 2.5, "postgres", "connections"),
            (PyChecksTelemetry.CheckTelemetryHistogram, 0.25, "postgres", "query_time"),
        }), "a type changed, a decreasing counter and an unknown type are refused (and logged)");
    });

    private sealed class MapTagger : ITagger
    {
        public IReadOnlyList<string> Tag(string entityId, TagCardinality cardinality) => entityId == "container_id://abc"
            ? cardinality == TagCardinality.High ? ["image_name:redis", "container_id:abc"] : ["image_name:redis"]
            : [];
    }

    private sealed class PauseFilter : IContainerFilter
    {
        public bool IsExcluded(string name, string image, string kubernetesNamespace) => image.Contains("/pause:", StringComparison.Ordinal) && kubernetesNamespace == "kube-system";
    }

    private sealed class FixedKubelet : IKubeletConnection
    {
        public IReadOnlyDictionary<string, object?> GetConnectionInfo() => new Dictionary<string, object?> { ["url"] = "https://10.0.0.1:10250", ["verify_tls"] = false };
    }
}
