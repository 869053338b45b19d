using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Builtins;
using PyChecks.Checks;
using PyChecks.Checks.Configuration;
using PyChecks.Checks.Isolation;

namespace PyChecks;

/// <summary>
/// Python checks in a .NET process: starts the interpreter with the <c>aggregator</c> and
/// <c>datadog_agent</c> built-in modules and the <c>pychecks</c> package, reads check configurations,
/// and loads checks whose submissions reach the given <see cref="ISender"/>s. One per process.
/// </summary>
public sealed class CheckHost : IDisposable
{
    private const long MaxConfigFileBytesLimit = 1L << 30;

    private readonly PyChecksOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Meter _meter;
    private readonly Lock _workersLock = new();
    private CheckLoaderChain _loaders = null!;
    private WorkerProcessPool? _workers;
    private ProcessCheckLoader? _processLoader;
    private readonly ConditionalWeakTable<ICheck, CheckInstanceConfig> _configs = [];

    // The router of the host that started Python (one per process), for the process-wide SenderErrors only.
    private static SubmissionRouter? s_started;

    private CheckHost(PythonRuntime runtime, SubmissionRouter router, PyChecksOptions options, ILoggerFactory loggerFactory, Meter meter)
    {
        _meter = meter;
        Runtime = runtime;
        Router = router;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<CheckHost>();
        ProfileForwarder = new WorkerProfileForwarder(() => WorkerProcesses);
    }

    /// <summary>The embedded interpreter.</summary>
    public PythonRuntime Runtime { get; }

    /// <summary>The loaders tried in order for each check: those given to <see cref="Start"/>, then the Python loader.</summary>
    public IReadOnlyList<ICheckLoader> Loaders => _loaders.Loaders;

    /// <summary>Exceptions thrown by senders so far (each is logged, and the other senders still got the sample).</summary>
    internal static long SenderErrors => Volatile.Read(ref s_started)?.SenderErrors ?? 0;

    /// <summary>Where this host's checks submit: the built-in modules' sink.</summary>
    internal SubmissionRouter Router { get; }

    /// <summary>Starts Python and prepares it to run checks.</summary>
    /// <param name="options">Where checks and their configuration are, and what <c>datadog_agent</c> answers.</param>
    /// <param name="senders">Where submissions go; may be empty.</param>
    /// <param name="loggerFactory">Receives the library's logs and the checks' Python logging.</param>
    /// <param name="loaders">Loaders tried before the Python loader, for checks of other kinds.</param>
    /// <param name="agentServices">What the <c>tagger</c>, <c>containers</c> and <c>kubeutil</c> modules answer, and the meter factory; empty answers when null.</param>
    /// <exception cref="PythonRuntimeException">Python could not be found or started.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PyChecksOptions.MaxConfigFileBytes"/> is not between 1 and 1 GiB.</exception>
    public static CheckHost Start(PyChecksOptions options, IEnumerable<ISender>? senders = null, ILoggerFactory? loggerFactory = null, IEnumerable<ICheckLoader>? loaders = null, AgentServices? agentServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxConfigFileBytes is < 1 or > MaxConfigFileBytesLimit)
        {
            // Hosts that start without AddPyChecks skip the options validation; refuse here, before Python starts.
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxConfigFileBytes, $"PyChecksOptions.MaxConfigFileBytes must be between 1 and {MaxConfigFileBytesLimit} bytes");
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var agent = AgentInfoOf(options, loggerFactory);
        Builtins.Subprocess.Allow();
        agentServices ??= new AgentServices();
        var meter = agentServices.MeterFactory?.Create(PyChecksTelemetry.MeterName) ?? new Meter(PyChecksTelemetry.MeterName);
        var router = new SubmissionRouter(senders ?? [], agent, loggerFactory, agentServices, new Builtins.CheckTelemetry(meter));

        var runtime = PythonRuntime.Initialize(PythonOptionsFor(options), () => BuiltinModules.Register(router));
        try
        {
            using (runtime.AcquireGil())
            {
                EmbeddedPython.Install(options.DatadogImportAliases);
                using (var entry = PyObject.Import("pychecks._entry"))
                using (var capture = PyObject.From(options.CaptureCheckOutput))
                using (var config = ForkSnapshot(router.Agent.Config))
                {
                    // Fork safety, the working directory's restore and (if asked) output capture: see pychecks/_entry.py.
                    entry.CallMethod("install", capture, config).Dispose();
                }

                if (options.GuardProcessExit)
                {
                    using var guard = PyObject.Import("pychecks._guard");
                    guard.CallMethod("install").Dispose();
                }

                if (options.TracemallocEnabled)
                {
                    Memory.PythonHeap.StartTracing();
                }
            }
        }
        catch
        {
            runtime.Dispose();
            throw;
        }

        var host = new CheckHost(runtime, router, options, loggerFactory, meter);
        host._loaders = new CheckLoaderChain([.. loaders ?? []], new PythonCheckLoader(runtime, router), host.ProcessLoader, options.IsolationOf);
        Volatile.Write(ref s_started, router);
        return host;
    }

    /// <summary>Loads one configured check instance.</summary>
    /// <exception cref="CheckLoadException">No loader could load it; the message gives each loader's reason and the Python traceback.</exception>
    public ICheck Load(CheckInstanceConfig config)
    {
        var check = _loaders.Load(config);
        _configs.AddOrUpdate(check, config);
        return check;
    }

    /// <summary>
    /// How long a run of <paramref name="check"/> may take before it is interrupted, as the scheduler gives it: the
    /// instance's <c>run_timeout</c>, else <see cref="PyChecksOptions.RunTimeout"/>, else its interval.
    /// </summary>
    /// <param name="check">An instance this host loaded (for another, the configured default or its interval).</param>
    public TimeSpan RunTimeoutOf(ICheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return (_configs.TryGetValue(check, out var config) ? config.RunTimeout : null) ?? _options.RunTimeout ?? check.Interval;
    }

    /// <summary>
    /// Reads <see cref="PyChecksOptions.ConfigDirectory"/> and <see cref="PyChecksOptions.Checks"/>, and loads every
    /// instance. A bad file or a check that fails to load is reported, and the others load.
    /// </summary>
    public CheckLoadReport LoadConfiguredChecks() => LoadConfigured(null);

    /// <summary>
    /// Loads the configured instances of one check only: what a check-author tool needs. Only that check's files of
    /// <see cref="PyChecksOptions.ConfigDirectory"/> are read (<c>&lt;name&gt;.yaml</c>, <c>&lt;name&gt;.d/*.yaml</c> and
    /// their <c>.default</c> forms), and no other check is imported, so the report's errors all concern this check.
    /// </summary>
    /// <param name="checkName">The check's name, as configured.</param>
    public CheckLoadReport LoadConfiguredChecks(string checkName)
    {
        ArgumentNullException.ThrowIfNull(checkName);
        return LoadConfigured(checkName);
    }

    /// <summary>
    /// The names of the checks configured in <see cref="PyChecksOptions.ConfigDirectory"/> (from the names of its files
    /// and <c>.d</c> folders; no file is read) and in <see cref="PyChecksOptions.Checks"/>, in ordinal order: what a
    /// misspelled name is compared with (<see cref="CheckNameSuggestions"/>).
    /// </summary>
    public IReadOnlyList<string> GetConfiguredCheckNames()
    {
        var names = _options.Checks.Select(static c => c.Name);
        if (_options.ConfigDirectory is { Length: > 0 } confD)
        {
            names = names.Concat(ConfDirectoryLayout.Find(confD, new List<CheckConfigurationException>()).Select(static f => f.CheckName));
        }

        return [.. names.Where(static n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private CheckLoadReport LoadConfigured(string? checkName)
    {
        var (instances, errors) = ReadConfiguredInstances(checkName);
        var checks = new List<ICheck>();
        foreach (var instance in instances)
        {
            try
            {
                checks.Add(Load(instance));
            }
            catch (CheckLoadException e)
            {
                errors.Add(e);
            }
        }

        return new CheckLoadReport(checks, errors);
    }

    /// <summary>What <c>datadog_agent</c> answers about the Agent, from <paramref name="options"/>.</summary>
    internal static AgentInfo AgentInfoOf(PyChecksOptions options, ILoggerFactory loggerFactory) => new()
    {
        Version = options.AgentVersion,
        Hostname = options.Hostname,
        ClusterName = options.ClusterName,
        HostTags = new Dictionary<string, IReadOnlyList<string>>(options.HostTags),
        Config = options.AgentConfig.Snapshot(HostLogLevel.Of(loggerFactory)),
        PersistentCacheDirectory = options.PersistentCacheDirectory,
        TracemallocEnabled = options.TracemallocEnabled,
    };

    /// <summary>
    /// The Agent configuration as a forked child of a check sees it (<c>pychecks/_forked_builtins.py</c>): each top-level
    /// key converted on its own, and a key whose value Python cannot hold (nested too deep, or containing itself) left
    /// out, listed under the reserved key <c>__pychecks_uncopied__</c> so that the child's <c>get_config</c> says why.
    /// <c>datadog_agent.get_config</c> in the host answers from the live configuration, as before.
    /// </summary>
    private static PyObject ForkSnapshot(IReadOnlyDictionary<string, object?> config)
    {
        var copied = new Dictionary<string, object?>(config.Count, StringComparer.Ordinal);
        var uncopied = new List<object?>();
        foreach (var (key, value) in config)
        {
            try
            {
                PyObject.FromClr(value).Dispose();
                copied[key] = value;
            }
            catch (ArgumentException)
            {
                uncopied.Add(key);
            }
        }

        copied[UncopiedKey] = uncopied;
        return PyObject.FromClr(copied);
    }

    private const string UncopiedKey = "__pychecks_uncopied__";

    /// <summary>Reads <see cref="PyChecksOptions.ConfigDirectory"/> and <see cref="PyChecksOptions.Checks"/> into instances, without loading them.</summary>
    /// <param name="checkName">Only this check's configuration (no other file is read); every check's when null.</param>
    internal (List<CheckInstanceConfig> Instances, List<Exception> Errors) ReadConfiguredInstances(string? checkName = null)
    {
        var configs = _options.Checks.Where(c => checkName is null || string.Equals(c.Name, checkName, StringComparison.Ordinal)).ToList();
        var errors = new List<Exception>();
        if (_options.ConfigDirectory is { Length: > 0 } confD)
        {
            var read = CheckConfigReader.ReadDirectory(confD, checkName, _options.MaxConfigFileBytes);
            configs.AddRange(read.Configs);
            errors.AddRange(read.Errors);
        }

        var instances = new List<CheckInstanceConfig>();
        foreach (var config in configs)
        {
            if (config.NotRunReason is { } reason)
            {
                Log.ConfigurationNotRun(_logger, config.Source, reason);
            }

            try
            {
                instances.AddRange(CheckConfigReader.Resolve(config));
            }
            catch (CheckConfigurationException e)
            {
                errors.Add(e);
            }
        }

        return (instances, errors);
    }

    /// <summary>
    /// Makes Python forget check modules whose file changed since they were imported (and re-scan the check
    /// folders), so that the next <see cref="Load"/> imports the new code.
    /// </summary>
    /// <returns>The names of the checks whose module changed.</returns>
    internal IReadOnlySet<string> InvalidateChangedModules()
    {
        using var gil = Runtime.AcquireGil();
        using var host = PyObject.Import("pychecks._host");
        using var changed = host.CallMethod("invalidate_changed");
        var names = ((List<object?>)changed.ToClr()!).Select(static n => (string)n!).ToHashSet(StringComparer.Ordinal);
        if (WorkerProcesses is { } workers)
        {
            names.UnionWith(workers.ChangedCheckNames());
        }

        return names;
    }

    /// <summary>
    /// The interpreter's options: the host's, with <see cref="PyChecksOptions.ChecksDirectory"/> first on <c>sys.path</c>.
    /// A copy when that adds the folder: the caller's options stay as the caller wrote them.
    /// </summary>
    internal static PythonRuntimeOptions PythonOptionsFor(PyChecksOptions options)
    {
        var python = options.Python;
        if (options.ChecksDirectory is not { Length: > 0 } checksDirectory || python.SearchPaths.Contains(checksDirectory))
        {
            return python;
        }

        var copy = new PythonRuntimeOptions
        {
            Python = python.Python,
            Isolated = python.Isolated,
            ShutdownTimeout = python.ShutdownTimeout,
            WorkerCount = python.WorkerCount,
            CallingThreadRunLimit = python.CallingThreadRunLimit,
        };
        copy.SearchPaths.Add(checksDirectory);
        foreach (string path in python.SearchPaths)
        {
            copy.SearchPaths.Add(path);
        }

        return copy;
    }

    /// <summary>The options the host was started with.</summary>
    internal PyChecksOptions Options => _options;

    /// <summary>
    /// The worker process slots of <see cref="CheckIsolation.Process"/> mode: pid, Python, checks, runs, restarts and
    /// memory of each; empty until the first check in that mode loads.
    /// </summary>
    /// <returns>One entry per slot (<see cref="WorkerProcessOptions.Count"/>).</returns>
    public IReadOnlyList<WorkerProcessStatus> GetWorkerProcesses() => WorkerProcesses?.Statuses() ?? [];

    /// <summary>The worker processes of <see cref="CheckIsolation.Process"/> mode; <see langword="null"/> until the first such check loads.</summary>
    internal WorkerProcessPool? WorkerProcesses => Volatile.Read(ref _workers);

    /// <summary>Where the host's profiler sends the tasks of checks in worker processes, to be sampled there.</summary>
    internal Profiling.IProfileForwarder ProfileForwarder { get; }

    private ProcessCheckLoader ProcessLoader()
    {
        lock (_workersLock)
        {
            if (_processLoader is null)
            {
                var settings = WorkerSettings.For(_options, Runtime.Location, _loggerFactory, Router.Services);
                _workers = new WorkerProcessPool(_options.WorkerProcesses, settings, Router, _loggerFactory, _options.StuckRunGrace, _options.Python.ShutdownTimeout, _meter);
                _processLoader = new ProcessCheckLoader(_workers);
            }

            return _processLoader;
        }
    }

    /// <summary>
    /// Shuts Python down (see <see cref="PythonRuntime.Shutdown"/>), waiting at most
    /// <see cref="PythonRuntimeOptions.ShutdownTimeout"/>; when Python could not be finalized in that time, logs a
    /// warning saying why and returns.
    /// </summary>
    public void Dispose()
    {
        WorkerProcesses?.Dispose();

        // Children of _util.subprocess_output would keep their runs (and so the shutdown) waiting.
        Builtins.Subprocess.KillAll();
        if (!Runtime.Shutdown() && Runtime.ShutdownProblem is { } reason)
        {
            Log.PythonNotFinalized(_logger, _options.Python.ShutdownTimeout, reason);
        }
    }
}
