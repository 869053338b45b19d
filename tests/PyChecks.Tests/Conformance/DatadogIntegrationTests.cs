using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// Datadog's toolkit and its integrations, unmodified, run through PyChecks from a venv built as a user would, each
/// with its own shipped configuration minimally adapted and, for those that read a service, a stand-in answering in
/// the service's real format. Every integration must run without error, submit metrics, and submit only the metric
/// names of its <c>metadata.csv</c> and the service checks of its <c>assets/service_checks.json</c>. All twelve run
/// in one child process (one Python, see <see cref="ConformanceRun"/>); each is reported as its own test. The suite
/// runs twice: with every integration in the host's process, and with every one in worker processes.
/// </summary>
[TestFixture(CheckIsolation.InProcess)]
[TestFixture(CheckIsolation.Process)]
[NonParallelizable]
public sealed class DatadogIntegrationTests(CheckIsolation isolation)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(4);

    private string? _skipReason;
    private ChildResult? _child;
    private string? _results;
    private string _python = "";

    public static IEnumerable<TestCaseData> Integrations => DatadogToolkit.IntegrationNames.Select(n => new TestCaseData(n).SetArgDisplayNames(n));

    [OneTimeSetUp]
    public void RunEveryIntegration()
    {
        var (toolkit, looked) = DatadogToolkit.Find();
        if (toolkit is null)
        {
            _skipReason = $"Datadog's toolkit and integrations are not on this machine: no shared/datadog above the repository (looked at {looked}).";
            return;
        }

        var (venv, missing) = ToolkitVenv.Build(toolkit);
        if (venv is null)
        {
            _skipReason = missing;
            return;
        }

        using (venv)
        {
            _results = Directory.CreateTempSubdirectory("pychecks-conformance-results").FullName;
            _child = Isolated.RunChild(
                typeof(ConformanceRun).GetMethod(nameof(ConformanceRun.RunAll))!,
                new Dictionary<string, string?>
                {
                    [ConformanceRun.PythonVariable] = venv.Python,
                    [ConformanceRun.ResultsVariable] = _results,
                    [ConformanceRun.IsolationVariable] = isolation.ToString(),
                    // The host is pointed at the venv explicitly; nothing from the test runner's environment may choose instead.
                    ["PYCHECKS_PYTHON"] = null,
                    ["PYTHONNET_PYDLL"] = null,
                    ["VIRTUAL_ENV"] = null,
                    ["PYTHONPATH"] = null,
                    ["PYTHONHOME"] = null,
                },
                ChildTimeout);
            string environment = Path.Combine(_results, ConformanceRun.EnvironmentFile);
            _python = File.Exists(environment) ? File.ReadAllText(environment) : "(the child wrote no description of its Python)";
        }
    }

    [OneTimeTearDown]
    public void RemoveResults()
    {
        if (_results is not null && Directory.Exists(_results))
        {
            Directory.Delete(_results, recursive: true);
        }
    }

    [TestCaseSource(nameof(Integrations))]
    public void Integration_RunsFromItsShippedConfig_AndSubmitsOnlyWhatItDeclares(string name)
    {
        var run = Result(name);
        var integration = DatadogToolkit.Find().Toolkit!.Integration(name);
        // The configuration without the example's comments: what was run, short enough to read in a failure.
        string config = string.Join("\n", run.ConfigText.Split('\n').Where(l => l.Trim() is { Length: > 0 } t && !t.StartsWith('#')));
        string context = $"\n--- {run.ConfigFile} (comments left out) ---\n{config}\n--- logs ---\n{string.Join("\n", run.Logs)}\n--- Python ---\n{_python}";

        Assert.That(run.LoadError, Is.Null, $"{name} did not load:\n{run.LoadError}{context}");
        Assert.That(run.Runs, Has.Count.GreaterThanOrEqualTo(2), $"{name} was not run twice{context}");
        foreach (var outcome in run.Runs)
        {
            Assert.That(outcome.Succeeded, Is.True, $"{outcome.CheckId} failed:\n{outcome.Error}{context}");
        }

        Assert.That(run.Metrics, Is.Not.Empty, $"{name} submitted no metric{context}");
        Assert.Multiple(() =>
        {
            if (name == "openmetrics")
            {
                // Its metrics are the ones configured (it has no metadata.csv and no assets): each must arrive, under the namespace.
                Assert.That(run.Metrics.Select(m => m.Name).Distinct(), Is.SupersetOf(IntegrationConfig.OpenMetricsSubmitted), $"configured metrics{context}");
                Assert.That(run.Metrics.Select(m => m.Name), Has.All.StartWith(IntegrationConfig.OpenMetricsNamespace + "."), context);
                Assert.That(run.ServiceChecks.Select(s => s.Name).Distinct(), Is.EqualTo(new[] { IntegrationConfig.OpenMetricsNamespace + ".openmetrics.health" }), context);
            }
            else
            {
                var listed = integration.ListedMetrics();
                var unlisted = run.Metrics.Where(m => !Integration.IsListed(listed, m.Name, m.Type)).Select(m => $"{m.Name} ({m.Type})").ToList();
                Assert.That(unlisted, Is.Empty, $"metrics submitted by {name} that its metadata.csv does not list{context}");

                var checks = integration.ListedServiceChecks();
                Assert.That(run.ServiceChecks.Select(s => s.Name).Where(s => !checks.Contains(s)).Distinct(), Is.Empty,
                    $"service checks submitted by {name} that its assets/service_checks.json does not list{context}");
            }

            // The stand-ins and this machine are healthy: any service check that is not OK says something went wrong.
            Assert.That(run.ServiceChecks.Where(s => s.Status != ServiceCheckStatus.Ok).Select(s => $"{s.Name} {s.Status}: {s.Message}"), Is.Empty, context);
        });
    }

    private IntegrationRun Result(string name)
    {
        if (_skipReason is not null)
        {
            Assert.Ignore(_skipReason);
        }

        var run = IntegrationRun.Load(_results!, name);
        if (run is null)
        {
            Assert.Fail($"The conformance run wrote no result for {name}: its child process ended with exit code {_child!.ExitCode}:\n{_child.Output}");
        }

        return run!;
    }
}
