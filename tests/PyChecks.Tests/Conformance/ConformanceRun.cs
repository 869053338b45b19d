using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// The child process of the conformance suite: one Python, from the toolkit's venv, for all twelve integrations.
/// It starts the stand-ins, writes each integration's adapted shipped configuration to a <c>conf.d</c>, starts a
/// <see cref="CheckHost"/> pointed at the venv's python (<see cref="PythonRuntimeOptions.Python"/>, as a user would),
/// loads and runs every instance twice (a second run is where rates and monotonic counts appear), and writes an
/// <see cref="IntegrationRun"/> per integration for the tests to assert on.
/// </summary>
internal static class ConformanceRun
{
    /// <summary>The venv's python.</summary>
    public const string PythonVariable = "PYCHECKS_CONFORMANCE_PYTHON";

    /// <summary>The folder the results are written to.</summary>
    public const string ResultsVariable = "PYCHECKS_CONFORMANCE_RESULTS";

    /// <summary>The file, among the results, that says which Python and pydantic the host ended up with.</summary>
    public const string EnvironmentFile = "python.txt";

    /// <summary>Where the integrations run: <see cref="CheckIsolation"/>'s name.</summary>
    public const string IsolationVariable = "PYCHECKS_CONFORMANCE_ISOLATION";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Time between the two runs, so that rates have an interval and CPU percentages a sample.</summary>
    private static readonly TimeSpan BetweenRuns = TimeSpan.FromSeconds(1);

    /// <summary>Runs in the child (see <see cref="Isolated.RunChild"/>).</summary>
    public static void RunAll()
    {
        string python = Environment.GetEnvironmentVariable(PythonVariable) ?? throw new InvalidOperationException($"{PythonVariable} is not set.");
        string results = Environment.GetEnvironmentVariable(ResultsVariable) ?? throw new InvalidOperationException($"{ResultsVariable} is not set.");
        var (toolkit, looked) = DatadogToolkit.Find();
        Assert.That(toolkit, Is.Not.Null, $"no toolkit at {looked}");

        var standIns = StandIns.StartAsync().GetAwaiter().GetResult();
        string work = Directory.CreateTempSubdirectory("pychecks-conformance").FullName;
        try
        {
            string confD = Directory.CreateDirectory(Path.Combine(work, "conf.d")).FullName;
            var configs = DatadogToolkit.IntegrationNames.ToDictionary(
                name => name,
                name => IntegrationConfig.Write(toolkit!.Integration(name), confD, IntegrationConfig.Changes(name, standIns)),
                StringComparer.Ordinal);

            var logs = new RecordingLoggerProvider();
            using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Warning));
            var sender = new InMemorySender();
            var options = new PyChecksOptions
            {
                ConfigDirectory = confD,
                Python = new PythonRuntimeOptions { Python = python },
                PersistentCacheDirectory = Path.Combine(work, "cache"),
                Isolation = Enum.Parse<CheckIsolation>(Environment.GetEnvironmentVariable(IsolationVariable) ?? nameof(CheckIsolation.InProcess)),
            };
            options.WorkerProcesses.Count = 2;
            using var host = CheckHost.Start(options, [sender], loggerFactory);
            File.WriteAllLines(Path.Combine(results, EnvironmentFile), DescribePython(host));
            Run(host, sender, logs, configs, results);
        }
        finally
        {
            standIns.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Run(CheckHost host, InMemorySender sender, RecordingLoggerProvider logs, Dictionary<string, string> configs, string results)
    {
        var loaded = new Dictionary<string, IReadOnlyList<ICheck>>(StringComparer.Ordinal);
        var loadErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, config) in configs)
        {
            var report = host.LoadConfiguredChecks(name);
            // Configuration errors of every file come with each report; keep this integration's own.
            var errors = report.Errors
                .Where(e => e is CheckLoadException || (e is CheckConfigurationException c && c.File is { } file && file.StartsWith(Path.GetDirectoryName(config)!, StringComparison.Ordinal)))
                .Select(e => e.Message)
                .ToList();
            if (report.Checks.Count == 0 && errors.Count == 0)
            {
                errors.Add($"no instance of {name} was configured by {config}");
            }

            loaded[name] = report.Checks;
            if (errors.Count > 0)
            {
                loadErrors[name] = string.Join("\n", errors);
            }
        }

        var runs = loaded.Keys.ToDictionary(name => name, _ => new List<RunOutcome>(), StringComparer.Ordinal);
        for (int round = 0; round < 2; round++)
        {
            if (round > 0)
            {
                Thread.Sleep(BetweenRuns);
            }

            foreach (var (name, checks) in loaded)
            {
                foreach (var check in checks)
                {
                    using var timeout = new CancellationTokenSource(RunTimeout);
                    var result = check.RunAsync(timeout.Token).GetAwaiter().GetResult();
                    string? error = result.Succeeded ? null : $"{result.Error}\n{result.Traceback}".TrimEnd();
                    runs[name].Add(new RunOutcome(check.Id, result.Succeeded, error, result.Warnings));
                }
            }
        }

        var logged = logs.Take();
        foreach (var (name, checks) in loaded)
        {
            var ids = checks.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            new IntegrationRun
            {
                Name = name,
                ConfigFile = configs[name],
                ConfigText = File.ReadAllText(configs[name]),
                LoadError = loadErrors.GetValueOrDefault(name),
                Runs = runs[name],
                Metrics = [.. sender.Metrics.Where(m => ids.Contains(m.CheckId)).Select(m => new SubmittedMetric(m.Name, m.Type)).Distinct()],
                ServiceChecks = [.. sender.ServiceChecks.Where(s => ids.Contains(s.CheckId)).Select(s => new SubmittedServiceCheck(s.Name, s.Status, s.Message)).Distinct()],
                Logs = [.. logged.Where(l => l.Category.Contains(name, StringComparison.Ordinal)).Select(l => $"{l.Level} {l.Category}: {l.Message}")],
            }.Save(results);
            foreach (var check in checks)
            {
                check.Dispose();
            }
        }

        File.WriteAllLines(Path.Combine(results, "host.log"), logged.Select(l => $"{l.Level} {l.Category}: {l.Message}"));
    }

    /// <summary>What the embedded interpreter made of the venv: the first thing to read when every integration fails alike.</summary>
    private static List<string> DescribePython(CheckHost host)
    {
        using var gil = host.Runtime.AcquireGil();
        using var sys = PyObject.Import("sys");
        var lines = new List<string>();
        foreach (string name in new[] { "version", "executable", "prefix", "base_prefix" })
        {
            using var value = sys.GetAttr(name);
            lines.Add($"sys.{name} = {value}");
        }

        using (var path = sys.GetAttr("path"))
        {
            lines.Add("sys.path = " + string.Join(", ", ((List<object?>)path.ToClr()!).Select(p => p?.ToString())));
        }

        try
        {
            using var pydantic = PyObject.Import("pydantic");
            using var version = pydantic.GetAttr("VERSION");
            using var file = pydantic.GetAttr("__file__");
            lines.Add($"pydantic {version} from {file}");
        }
        catch (PythonException e)
        {
            lines.Add($"pydantic does not import: {e.PythonType}: {e.PythonMessage}");
        }

        return lines;
    }
}
