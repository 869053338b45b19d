using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Isolation;

/// <summary>
/// The Agent services a host provides (<see cref="ITagger"/>, <see cref="IContainerFilter"/>,
/// <see cref="IKubeletConnection"/>) answer a check in a worker process as they answer it in process: the worker asks
/// its host, and a service's failure reaches the check as the same Python error.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerAgentServicesTests
{
    private const string AsksTheServices = """
        import os, tagger, containers, kubeutil
        from datadog_checks.base import AgentCheck

        CASES = {
            'high': lambda: tagger.tag('container_id://abc', tagger.HIGH),
            'low': lambda: tagger.tag('container_id://abc', tagger.LOW),
            'get_tags high': lambda: tagger.get_tags('container_id://abc', 1),
            'unknown': lambda: tagger.tag('container_id://zzz', tagger.ORCHESTRATOR),
            'failing': lambda: tagger.tag('container_id://boom', tagger.LOW),
            'pause excluded': lambda: containers.is_excluded('pause', 'k8s.gcr.io/pause:3.9', 'kube-system'),
            'redis kept': lambda: containers.is_excluded('redis', 'redis:7'),
            'kubelet': lambda: sorted(kubeutil.get_connection_info().items()),
        }

        class AsksTheServices(AgentCheck):
            def check(self, instance):
                for name, case in CASES.items():
                    try:
                        outcome = 'returned ' + repr(case())
                    except Exception as e:
                        outcome = 'raised ' + type(e).__name__ + ': ' + str(e)
                    self.gauge('services.case', 1, tags=['case:' + name, 'outcome:' + outcome])
                self.gauge('services.pid', os.getpid())
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void HostServices_AnswerACheckInAWorker_AsTheyAnswerItInProcess(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("asks_services", AsksTheServices).Config("asks_services", """
            instances:
              - {where: worker, isolation: process}
              - {where: host, isolation: in_process}
            """);
        var services = new AgentServices { Tagger = new MapTagger(), ContainerFilter = new PauseFilter(), Kubelet = new FixedKubelet() };
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.WorkerProcesses.Count = 1, agentServices: services);
        var checks = CheckFolder.LoadAll(host);
        var inWorker = checks.Single(c => c.GetType().Name == "ProcessCheck");
        var inProcess = checks.Single(c => c != inWorker);
        foreach (var check in checks)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Error, Is.Null, $"{check.Id}: {result.Traceback}");
        }

        var pids = sender.Metrics.Where(m => m.Name == "services.pid").ToDictionary(m => m.CheckId, m => (int)m.Value);
        Assert.That(pids[inWorker.Id], Is.Not.EqualTo(Environment.ProcessId), "the check ran in a worker process");

        Dictionary<string, string> OutcomesOf(ICheck check) => sender.Metrics
            .Where(m => m.CheckId == check.Id && m.Name == "services.case")
            .ToDictionary(m => m.Tags.Single(t => t.StartsWith("case:", StringComparison.Ordinal))[5..], m => m.Tags.Single(t => t.StartsWith("outcome:", StringComparison.Ordinal))[8..]);
        var fromWorker = OutcomesOf(inWorker);
        Assert.Multiple(() =>
        {
            Assert.That(fromWorker["high"], Is.EqualTo("returned ['image_name:redis', 'container_id:abc']"));
            Assert.That(fromWorker["low"], Is.EqualTo("returned ['image_name:redis']"));
            Assert.That(fromWorker["get_tags high"], Is.EqualTo("returned ['image_name:redis', 'container_id:abc']"));
            Assert.That(fromWorker["unknown"], Is.EqualTo("returned []"));
            Assert.That(fromWorker["failing"], Is.EqualTo("raised RuntimeError: PyChecks host error: InvalidOperationException: the tagger has no answer for container_id://boom"));
            Assert.That(fromWorker["pause excluded"], Is.EqualTo("returned True"));
            Assert.That(fromWorker["redis kept"], Is.EqualTo("returned False"));
            Assert.That(fromWorker["kubelet"], Is.EqualTo("returned [('port', 10250), ('url', 'https://10.0.0.1:10250'), ('verify_tls', False)]"));
        });
        Assert.That(fromWorker, Is.EqualTo(OutcomesOf(inProcess)), "the same answers, and the same error, in both modes");
        foreach (var check in checks)
        {
            check.Dispose();
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void WithoutHostServices_ACheckInAWorker_SeesTheDefaults(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("asks_services", AsksTheServices).Config("asks_services", "instances: [{isolation: process}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o => o.WorkerProcesses.Count = 1);
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Error, Is.Null);
        var outcomes = sender.Metrics.Where(m => m.Name == "services.case").Select(m => string.Join("|", m.Tags)).ToList();
        Assert.That(outcomes, Is.EqualTo(new[]
        {
            "case:high|outcome:returned []",
            "case:low|outcome:returned []",
            "case:get_tags high|outcome:returned []",
            "case:unknown|outcome:returned []",
            "case:failing|outcome:returned []",
            "case:pause excluded|outcome:returned False",
            "case:redis kept|outcome:returned False",
            "case:kubelet|outcome:returned []",
        }));
        check.Dispose();
    });

    private sealed class MapTagger : ITagger
    {
        public IReadOnlyList<string> Tag(string entityId, TagCardinality cardinality) => entityId switch
        {
            "container_id://abc" => cardinality == TagCardinality.High ? ["image_name:redis", "container_id:abc"] : ["image_name:redis"],
            "container_id://boom" => throw new InvalidOperationException("the tagger has no answer for container_id://boom"),
            _ => [],
        };
    }

    private sealed class PauseFilter : IContainerFilter
    {
        public bool IsExcluded(string name, string image, string kubernetesNamespace) => image.Contains("/pause:", StringComparison.Ordinal) && kubernetesNamespace == "kube-system";
    }

    private sealed class FixedKubelet : IKubeletConnection
    {
        public IReadOnlyDictionary<string, object?> GetConnectionInfo() => new Dictionary<string, object?> { ["url"] = "https://10.0.0.1:10250", ["verify_tls"] = false, ["port"] = 10250 };
    }
}
