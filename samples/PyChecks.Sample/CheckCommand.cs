using System.Globalization;
using Microsoft.Extensions.Logging;

namespace PyChecks.Sample;

/// <summary>
/// <c>check &lt;name&gt;</c>: runs the instances of one check once (or N times), directly rather than through a
/// scheduler, and prints what each run submitted — the counterpart of Datadog's <c>agent check &lt;name&gt;</c>.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Every run of every instance succeeded.</summary>
    public const int ExitSucceeded = 0;

    /// <summary>A run failed, an instance could not be loaded or configured, or the check has no configuration.</summary>
    public const int ExitFailed = 1;

    /// <summary>The arguments were wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: PyChecks.Sample check <name> [options]

        Runs each configured instance of check <name> once, outside the scheduler, and prints the
        metrics, service checks, events, warnings and errors of every run.

        options:
          --conf-dir <dir>     check configurations: <name>.yaml or <name>.d/*.yaml (default: the sample's conf.d)
          --checks-dir <dir>   check modules: <name>.py (default: the sample's checks.d)
          --times <n>          run each instance n times (default: 1)
          --pause <ms>         wait between two runs (default: 0)
          --timeout <s>        interrupt a run after this many seconds (default: the instance's run_timeout,
                               else its min_collection_interval, 15 s unless set); a run blocked in C code
                               that does not return then is reported stuck and the command ends without it
          --agent-config <file>
                               a datadog.yaml-style file: what datadog_agent.get_config(key) answers
                               (keys it does not set keep the Datadog Agent's defaults)
          --log-level <level>  show the checks' logs from this level on: trace, debug, info, warning, error,
                               critical, off (default: error); logs go to standard error, and so
                               does what the check prints (from info on, unless 'off')
          -h, --help           show this text

        Ctrl+C interrupts the running check. Exit code: 0 when every run succeeded, 1 when a run failed,
        timed out, got stuck or was interrupted, or the check could not be loaded, 2 for wrong arguments.
        """;

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>check</c>.</param>
    /// <param name="output">Where the results go.</param>
    /// <param name="error">Where usage errors and logs go.</param>
    /// <param name="configure">Sets the defaults (directories, checks configured in code) before the arguments apply.</param>
    /// <param name="cancellationToken">Interrupts the running check (Ctrl+C); no further run starts.</param>
    /// <returns>The process exit code: <see cref="ExitSucceeded"/>, <see cref="ExitFailed"/> or <see cref="ExitUsage"/>.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Action<PyChecksOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            output.WriteLine(Usage);
            return ExitSucceeded;
        }

        if (!Arguments.TryParse(args, out var arguments, out string? problem))
        {
            error.WriteLine($"error: {problem}");
            error.WriteLine();
            error.WriteLine(Usage);
            return ExitUsage;
        }

        var options = new PyChecksOptions();
        configure?.Invoke(options);
        options.ConfigDirectory = arguments.ConfDir ?? options.ConfigDirectory;
        options.ChecksDirectory = arguments.ChecksDir ?? options.ChecksDirectory;
        if (arguments.AgentConfigFile is { } agentConfigFile)
        {
            try
            {
                options.AgentConfig.AddYamlFile(agentConfigFile);
            }
            catch (CheckConfigurationException e)
            {
                error.WriteLine($"error: --agent-config: {e.Message}");
                return ExitUsage;
            }
        }

        var recorder = new InMemorySender();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(error)).SetMinimumLevel(LogLevel.Trace)
            .AddFilter((category, level) => level >= arguments.LogLevel || (IsCheckOutput(category) && level >= LogLevel.Information && arguments.LogLevel != LogLevel.None)));
        CheckHost host;
        try
        {
            host = CheckHost.Start(options, [recorder], loggerFactory);
        }
        catch (PythonRuntimeException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitFailed;
        }

        using (host)
        {
            output.WriteLine($"Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath} (found by {host.Runtime.Location.Source}, started as {host.Runtime.Location.Executable ?? "CPython's default program"})");
            // Only this check's configuration files are read, and only its module is imported.
            var report = host.LoadConfiguredChecks(arguments.Name);
            var checks = report.Checks.ToList();
            var errors = report.Errors.ToList();
            bool stuck = false;
            try
            {
                if (checks.Count == 0 && errors.Count == 0)
                {
                    output.WriteLine();
                    output.WriteLine(NotConfigured(arguments.Name, options.ConfigDirectory, host.GetConfiguredCheckNames()));
                    return ExitFailed;
                }

                int exit;
                (exit, stuck) = await RunAllAsync(arguments, host, checks, errors, recorder, options, output, cancellationToken);
                return exit;
            }
            finally
            {
                foreach (var check in checks)
                {
                    check.Dispose();
                }

                if (stuck)
                {
                    // A worker blocked in C keeps Python from being finalized: give up at once instead of waiting the shutdown timeout.
                    host.Runtime.Shutdown(TimeSpan.Zero);
                }
            }
        }
    }

    // What a check prints (PyChecksOptions.CaptureCheckOutput) is shown whatever --log-level says, unless it is 'off'.
    private static bool IsCheckOutput(string? category) =>
        category is not null && category.StartsWith("PyChecks.Checks.", StringComparison.Ordinal)
        && (category.EndsWith(".stdout", StringComparison.Ordinal) || category.EndsWith(".stderr", StringComparison.Ordinal));

    // What to say when nothing configures `name`: the closest configured names when the name looks misspelled.
    private static string NotConfigured(string name, string? confDir, IReadOnlyList<string> configured)
    {
        var close = CheckNameSuggestions.For(name, configured);
        string where = confDir ?? "(no conf.d)";
        return close.Count == 0
            ? $"No configuration for check '{name}' in {where}: add {name}.yaml with at least one instance."
            : $"No check named '{name}' is configured in {where}; did you mean {string.Join(" or ", close.Select(static n => $"'{n}'"))}?";
    }

    private static async Task<(int Exit, bool Stuck)> RunAllAsync(Arguments arguments, CheckHost host, List<ICheck> checks, List<Exception> errors, InMemorySender recorder, PyChecksOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var e in errors)
        {
            output.WriteLine();
            output.WriteLine($"Not loaded: {e.Message}");
        }

        if (checks.Count == 0)
        {
            return (ExitFailed, false);
        }

        int succeeded = 0, failed = 0, timedOut = 0;
        bool stuck = false;
        try
        {
            for (int run = 1; run <= arguments.Times; run++)
            {
                if (run > 1 && arguments.Pause > TimeSpan.Zero)
                {
                    await Task.Delay(arguments.Pause, cancellationToken);
                }

                foreach (var check in checks)
                {
                    recorder.Clear();
                    var timeout = arguments.Timeout ?? DefaultTimeout(host.RunTimeoutOf(check));
                    var outcome = await TimedRun.RunAsync(check, timeout, options.StuckRunGrace, cancellationToken);
                    if (outcome.Result.Succeeded)
                    {
                        succeeded++;
                    }
                    else
                    {
                        failed++;
                        timedOut += outcome.TimedOut ? 1 : 0;
                    }

                    output.Write(RunReport.Format(check, outcome, recorder, run, arguments.Times));
                    if (outcome.Stuck)
                    {
                        // Its worker is lost until the call returns, which may be never: run nothing more, and end.
                        stuck = true;
                        output.WriteLine();
                        output.WriteLine($"{check.Id} is stuck in C code: the command ends without it (only ending the process stops it; checks do not run in worker processes yet).");
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (stuck)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine();
            output.WriteLine("Stopped.");
            failed = Math.Max(failed, 1); // an interrupted command did not run what it was asked to
        }

        output.WriteLine();
        string instances = checks.Count == 1 ? "1 instance" : $"{checks.Count} instances";
        string notLoaded = errors.Count > 0 ? $", {errors.Count} not loaded" : string.Empty;
        string runs = succeeded + failed == 1 ? "1 run" : $"{succeeded + failed} runs";
        string late = (timedOut > 0 ? $", {timedOut} timed out" : string.Empty) + (stuck ? ", 1 stuck" : string.Empty);
        output.WriteLine($"{arguments.Name}: {instances}{notLoaded}, {runs}: {succeeded} succeeded, {failed} failed{late}");
        return (failed == 0 && errors.Count == 0 ? ExitSucceeded : ExitFailed, stuck);
    }

    // An interval of 0 (run as often as possible) is no timeout: the scheduler's default interval instead.
    private static TimeSpan DefaultTimeout(TimeSpan configured) => configured > TimeSpan.Zero ? configured : TimeSpan.FromSeconds(15);

    /// <summary>The parsed arguments.</summary>
    private sealed record Arguments(string Name, string? ConfDir, string? ChecksDir, int Times, TimeSpan Pause, LogLevel LogLevel)
    {
        public string? AgentConfigFile { get; init; }

        public TimeSpan? Timeout { get; init; }

        public static bool TryParse(IReadOnlyList<string> args, out Arguments parsed, out string? problem)
        {
            parsed = new Arguments(string.Empty, null, null, 1, TimeSpan.Zero, LogLevel.Error);
            string? name = null;
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                string? inline = null;
                if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 2 and var eq)
                {
                    inline = arg[(eq + 1)..];
                    arg = arg[..eq];
                }

                if (!arg.StartsWith('-'))
                {
                    if (name is not null)
                    {
                        problem = $"one check at a time: '{name}' and '{arg}' were given";
                        return false;
                    }

                    name = arg;
                    continue;
                }

                if (arg is not ("--conf-dir" or "--checks-dir" or "--times" or "--pause" or "--log-level" or "--agent-config" or "--timeout"))
                {
                    problem = $"unknown option '{args[i]}'";
                    return false;
                }

                string? value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                if (string.IsNullOrEmpty(value))
                {
                    problem = $"{arg} needs a value";
                    return false;
                }

                switch (arg)
                {
                    case "--conf-dir" or "--checks-dir" when !Directory.Exists(value):
                        problem = $"{arg}: no such directory: {value}";
                        return false;
                    case "--agent-config" when !File.Exists(value):
                        problem = $"--agent-config: no such file: {value}";
                        return false;
                    case "--agent-config":
                        parsed = parsed with { AgentConfigFile = Path.GetFullPath(value) };
                        break;
                    case "--conf-dir":
                        parsed = parsed with { ConfDir = Path.GetFullPath(value) };
                        break;
                    case "--checks-dir":
                        parsed = parsed with { ChecksDir = Path.GetFullPath(value) };
                        break;
                    case "--times" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int times) && times >= 1:
                        parsed = parsed with { Times = times };
                        break;
                    case "--times":
                        problem = $"--times must be a whole number of at least 1, not '{value}'";
                        return false;
                    case "--pause" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int ms):
                        parsed = parsed with { Pause = TimeSpan.FromMilliseconds(ms) };
                        break;
                    case "--pause":
                        problem = $"--pause must be a whole number of milliseconds, not '{value}'";
                        return false;
                    case "--timeout" when double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) && seconds is > 0 and <= 86_400:
                        parsed = parsed with { Timeout = TimeSpan.FromSeconds(seconds) };
                        break;
                    case "--timeout":
                        problem = $"--timeout must be a number of seconds above 0 and at most 86400, not '{value}'";
                        return false;
                    default:
                        if (ParseLevel(value) is not { } level)
                        {
                            problem = $"--log-level must be trace, debug, info, warning, error, critical or off, not '{value}'";
                            return false;
                        }

                        parsed = parsed with { LogLevel = level };
                        break;
                }
            }

            if (name is null)
            {
                problem = "which check? give its name, e.g. 'check hello'";
                return false;
            }

            parsed = parsed with { Name = name };
            problem = null;
            return true;
        }

        private static LogLevel? ParseLevel(string value) => value.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "off" or "none" => LogLevel.None,
            _ => null,
        };
    }
}
