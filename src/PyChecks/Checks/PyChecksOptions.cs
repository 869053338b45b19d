using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace PyChecks;

/// <summary>
/// How PyChecks finds, configures and runs checks. With <c>services.AddPyChecks(…)</c> these bind from the
/// <c>"PyChecks"</c> configuration section, then the configure delegate applies, and the result is validated
/// when the host starts (a bad value fails start with a message naming the option).
/// </summary>
public sealed class PyChecksOptions : IValidatableObject
{
    /// <summary>The configuration section <c>services.AddPyChecks(…)</c> binds: <c>"PyChecks"</c>.</summary>
    public const string SectionName = "PyChecks";

    /// <summary>The value <c>datadog_agent.get_version()</c> returns unless <see cref="AgentVersion"/> is set.</summary>
    public const string DefaultAgentVersion = "7.0.0";

    /// <summary>The default of <see cref="MaxConfigFileBytes"/>: 4 MiB, far above any real check configuration.</summary>
    public const long DefaultMaxConfigFileBytes = 4L * 1024 * 1024;

    /// <summary>The folder of check modules (<c>checks.d</c>), put on <c>sys.path</c>. Optional.</summary>
    public string? ChecksDirectory { get; set; }

    /// <summary>Checks configured in code, in addition to those of <see cref="ConfigDirectory"/>.</summary>
    public IList<CheckConfig> Checks { get; } = [];

    /// <summary>The folder of check configurations (<c>conf.d</c>): <c>&lt;check&gt;.yaml</c> or <c>&lt;check&gt;.d/*.yaml</c>. Optional.</summary>
    public string? ConfigDirectory { get; set; }

    /// <summary>
    /// The largest configuration file read, in bytes: a larger file in <see cref="ConfigDirectory"/> is not read (its size
    /// is checked before reading, and reading stops there if the file grows) and is reported as a configuration error
    /// naming the file, its size and this option; the other files still load. Default:
    /// <see cref="DefaultMaxConfigFileBytes"/>; at most 1 GiB.
    /// </summary>
    [Range(typeof(long), "1", "1073741824")]
    public long MaxConfigFileBytes { get; set; } = DefaultMaxConfigFileBytes;

    /// <summary>Where Python is and how to start it.</summary>
    [ValidateObjectMembers]
    public PythonRuntimeOptions Python { get; set; } = new();

    /// <summary>The profiler's limits (see docs/profiling.md).</summary>
    [ValidateObjectMembers]
    [Experimental("PYCHECKS001")]
    public ProfilerOptions Profiler { get; set; } = new();

    /// <summary>
    /// Where Python checks run unless <see cref="IsolationByCheck"/> or an instance's <c>isolation</c> key says
    /// otherwise: <see cref="CheckIsolation.InProcess"/> (the default) or <see cref="CheckIsolation.Process"/>.
    /// </summary>
    public CheckIsolation Isolation { get; set; } = CheckIsolation.InProcess;

    /// <summary>Where the instances of a check run, by check name, over <see cref="Isolation"/>; an instance's <c>isolation</c> key wins over both.</summary>
    public IDictionary<string, CheckIsolation> IsolationByCheck { get; } = new Dictionary<string, CheckIsolation>(StringComparer.Ordinal);

    /// <summary>The worker processes of <see cref="CheckIsolation.Process"/> mode.</summary>
    [ValidateObjectMembers]
    public WorkerProcessOptions WorkerProcesses { get; set; } = new();

    /// <summary>Set in a worker process: every check there runs in it, whatever its configuration asks.</summary>
    internal bool InWorkerProcess { get; set; }

    /// <summary>Where <paramref name="config"/> runs: its <c>isolation</c> key, else <see cref="IsolationByCheck"/>, else <see cref="Isolation"/>.</summary>
    internal CheckIsolation IsolationOf(CheckInstanceConfig config) =>
        InWorkerProcess ? CheckIsolation.InProcess
        : config.Isolation ?? (IsolationByCheck.TryGetValue(config.CheckName, out var mode) ? mode : Isolation);

    /// <summary>Whether <c>services.AddPyChecks(…)</c> runs the configured checks on their schedule. Default: on.</summary>
    public bool EnableScheduler { get; set; } = true;

    /// <summary>
    /// How long one run may take before it is interrupted (<c>pychecks.CheckInterrupt</c> is raised in the
    /// check's code) and counted as timed out. An instance's <c>run_timeout</c> key overrides it. Default:
    /// <see langword="null"/>, meaning each check's interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan? RunTimeout { get; set; }

    /// <summary>
    /// The most a check's first run is delayed, at random, so that checks do not all start at once; the delay
    /// is also at most the check's interval. Default: 3 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxStartJitter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a timed-out run has, after its interrupt, to return before the scheduler reports it stuck
    /// (blocked in C, where the interrupt cannot reach) and starts a stand-in worker so other checks keep
    /// running. Default: 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan StuckRunGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most stand-in workers alive at once for stuck runs (0: never start one). Default: 8.</summary>
    [Range(0, 256)]
    public int MaxStandInWorkers { get; set; } = 8;

    /// <summary>
    /// When the real <c>datadog_checks.base</c> package cannot be imported, make
    /// <c>from datadog_checks.base import AgentCheck</c> resolve to PyChecks' own, and serve the modules the Datadog
    /// Agent ships beside checks (<c>checks</c>, <c>checks.network_checks</c>, <c>config</c>, <c>utils.platform</c>,
    /// <c>utils.subprocess_output</c>, …) after every folder of <c>sys.path</c>, so Datadog custom checks run
    /// unmodified and a check's own module of the same name still wins. Default: on.
    /// </summary>
    public bool DatadogImportAliases { get; set; } = true;

    /// <summary>
    /// Keep checks from ending the host process: in the host process, a check's <c>os.abort()</c>, <c>os._exit()</c>,
    /// and signals it sends to the host (<c>os.kill</c> of the host's pid, its process group or -1, <c>os.killpg</c> of
    /// its group, <c>signal.raise_signal</c>, <c>signal.pthread_kill</c>) raise <c>pychecks.ProcessExitRefused</c>, which
    /// fails the run. Child processes (<c>os.fork()</c>, <c>multiprocessing</c>) are not affected. C code a check calls
    /// (<c>ctypes</c>, C extensions) is not guarded. Default: on.
    /// </summary>
    public bool GuardProcessExit { get; set; } = true;

    /// <summary>
    /// Send what a check writes to <c>sys.stdout</c> and <c>sys.stderr</c> (<c>print()</c>, tracebacks it prints) to the
    /// host's log instead of the process's standard streams: line by line, under the category
    /// <c>PyChecks.Checks.&lt;check&gt;.stdout</c> (information) or <c>PyChecks.Checks.&lt;check&gt;.stderr</c> (warning). Only
    /// writes made on the thread running the check's code (its import, <c>__init__</c>, runs) are captured; other threads,
    /// the check's own included, write to the real streams. Default: on.
    /// </summary>
    public bool CaptureCheckOutput { get; set; } = true;

    /// <summary>What <c>datadog_agent.get_version()</c> returns. Default: <see cref="DefaultAgentVersion"/>.</summary>
    [Required]
    public string AgentVersion { get; set; } = DefaultAgentVersion;

    /// <summary>What <c>datadog_agent.get_hostname()</c> returns. Default: the machine name.</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>What <c>datadog_agent.get_clustername()</c> returns. Default: empty.</summary>
    public string ClusterName { get; set; } = string.Empty;

    /// <summary>What <c>datadog_agent.get_host_tags()</c> returns, as JSON: source → tags (e.g. <c>"system" → ["env:prod"]</c>).</summary>
    public IDictionary<string, IReadOnlyList<string>> HostTags { get; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The Agent configuration <c>datadog_agent.get_config(key)</c> answers from: the Agent's defaults, overridden by
    /// <see cref="PyChecks.AgentConfig.Values"/> (bound from <c>PyChecks:AgentConfig</c>, or read from a <c>datadog.yaml</c>
    /// with <see cref="PyChecks.AgentConfig.AddYamlFile"/>).
    /// </summary>
    public AgentConfig AgentConfig { get; } = new();

    /// <summary>The folder of the checks' persistent cache (<c>write_persistent_cache</c>). Default: <c>~/.local/share/pychecks/cache</c>.</summary>
    public string? PersistentCacheDirectory { get; set; }

    /// <summary>
    /// Datadog's <c>tracemalloc_enabled</c>: start Python's <c>tracemalloc</c> with the interpreter, make
    /// <c>datadog_agent.tracemalloc_enabled()</c> return <see langword="true"/>, and record each run's Python memory delta
    /// in <see cref="CheckRunResult.PythonMemoryDelta"/>. Tracing slows every Python allocation (see docs/memory.md for the
    /// measured cost), so it is for investigating a check, not for production. Default: off.
    /// </summary>
    public bool TracemallocEnabled { get; set; }

    /// <summary>Checks what attributes cannot: the folders exist.</summary>
    /// <param name="validationContext">The validation context.</param>
    /// <returns>One result per problem, naming the option.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ChecksDirectory is { Length: > 0 } checks && !Directory.Exists(checks))
        {
            yield return new ValidationResult(
                $"PyChecks:ChecksDirectory '{checks}' does not exist (resolved to '{Path.GetFullPath(checks)}'). Create it, or leave the option unset.",
                [nameof(ChecksDirectory)]);
        }

        if (ConfigDirectory is { Length: > 0 } conf && !Directory.Exists(conf))
        {
            yield return new ValidationResult(
                $"PyChecks:ConfigDirectory '{conf}' does not exist (resolved to '{Path.GetFullPath(conf)}'). Create it, or leave the option unset.",
                [nameof(ConfigDirectory)]);
        }
    }
}
