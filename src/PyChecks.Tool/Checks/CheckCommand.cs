using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PyChecks.Tool.CommandLine;

namespace PyChecks.Tool.Checks;

/// <summary>
/// <c>check &lt;name&gt;</c>: runs the instances of one check once (or N times), directly rather than through a
/// scheduler, and reports what each run submitted — the counterpart of Datadog's <c>agent check &lt;name&gt;</c>.
/// The tool's command and the sample's are this one.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Every run of every instance succeeded.</summary>
    public const int ExitSucceeded = ExitCodes.Succeeded;

    /// <summary>A run failed, an instance could not be loaded or configured, or the check has no configuration.</summary>
    public const int ExitFailed = ExitCodes.Failed;

    /// <summary>The arguments were wrong.</summary>
    public const int ExitUsage = ExitCodes.Usage;

    /// <summary>What a command line without a check name is refused with.</summary>
    public const string MissingName = "which check? give its name, e.g. 'check hello'";

    /// <summary>The command, as <paramref name="defaults"/> says where checks and configurations are by default.</summary>
    /// <param name="defaults">The default folders, as the usage text names them, and how the options are set up before the arguments apply.</param>
    public static ToolCommand Create(CheckDefaults defaults)
    {
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "the check's name" };
        var confDir = new Option<string?>("--conf-dir")
        {
            HelpName = "dir",
            Description = $"check configurations: <name>.yaml or <name>.d/*.yaml (default: {defaults.ConfigDirectoryText})",
            CustomParser = r => Existing(r, "--conf-dir", Directory.Exists, "directory"),
        };
        var checksDir = new Option<string?>("--checks-dir")
        {
            HelpName = "dir",
            Description = $"check modules: <name>.py (default: {defaults.ChecksDirectoryText})",
            CustomParser = r => Existing(r, "--checks-dir", Directory.Exists, "directory"),
        };
        var times = new Option<int>("--times")
        {
            HelpName = "n",
            Description = "run each instance n times (default: 1)",
            DefaultValueFactory = _ => 1,
            CustomParser = r => Parse<int>(r, "--times", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n : (int?)null, "a whole number of at least 1"),
        };
        var pause = new Option<TimeSpan>("--pause")
        {
            HelpName = "ms",
            Description = "wait between two runs (default: 0)",
            CustomParser = r => Parse<TimeSpan>(r, "--pause", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) ? TimeSpan.FromMilliseconds(ms) : null, "a whole number of milliseconds"),
        };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            HelpName = "s",
            Description = "interrupt a run after this many seconds (default: the instance's run_timeout,\n" +
                "else its min_collection_interval, 15 s unless set); a run blocked in C code\n" +
                "that does not return then is reported stuck and the command ends without it",
            CustomParser = r => Parse<TimeSpan>(r, "--timeout", v => double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double s) && s is > 0 and <= 86_400 ? TimeSpan.FromSeconds(s) : null, "a number of seconds above 0 and at most 86400"),
        };
        var agentConfig = new Option<string?>("--agent-config")
        {
            HelpName = "file",
            Description = "a datadog.yaml-style file: what datadog_agent.get_config(key) answers\n(keys it does not set keep the Datadog Agent's defaults)",
            CustomParser = r => Existing(r, "--agent-config", File.Exists, "file"),
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            HelpName = "level",
            Description = "show the checks' logs from this level on: trace, debug, info, warning, error,\n" +
                "critical, off (default: error); logs go to standard error, and so\n" +
                "does what the check prints (from info on, unless 'off')",
            DefaultValueFactory = _ => LogLevel.Error,
            CustomParser = r => Parse<LogLevel>(r, "--log-level", ParseLevel, "trace, debug, info, warning, error, critical or off"),
        };
        var python = new Option<string?>("--python")
        {
            HelpName = "path",
            Description = "the Python to use: a libpython3.X.so or a python3 executable\n(default: what 'python' shows discovery finds)",
        };
        var json = new Option<bool>("--json") { Description = "write one JSON document (see docs/tool.md) instead of text" };

        var command = new ToolCommand("check", """
            Runs each configured instance of check <name> once, outside the scheduler, and prints the
            metrics, service checks, events, warnings and errors of every run.
            """)
        {
            Summary = "run a check's instances once and show what they submit",
            Epilogue = """
                Ctrl+C interrupts the running check. Exit code: 0 when every run succeeded, 1 when a run failed,
                timed out, got stuck or was interrupted, or the check could not be loaded, 2 for wrong arguments.
                """,
            OneAtATime = "one check at a time",
        };
        command.Add(name);
        foreach (var option in new Option[] { confDir, checksDir, times, pause, timeout, agentConfig, logLevel, python, json })
        {
            command.Add(option);
        }

        command.Validators.Add(r =>
        {
            if (r.GetValue(name) is null && r.Children.All(c => c is not ArgumentResult { Tokens.Count: > 0 }))
            {
                r.AddError(MissingName);
            }
        });
        command.Handler = (parse, console, cancellationToken) =>
        {
            var arguments = new CheckArguments
            {
                Name = parse.GetValue(name)!,
                ConfDir = parse.GetValue(confDir),
                ChecksDir = parse.GetValue(checksDir),
                Times = parse.GetValue(times),
                Pause = parse.GetValue(pause),
                Timeout = parse.GetValue(timeout),
                AgentConfigFile = parse.GetValue(agentConfig),
                LogLevel = parse.GetValue(logLevel),
                Python = parse.GetValue(python),
                Json = parse.GetValue(json),
            };
            ICheckReport report = arguments.Json ? new JsonCheckReport(arguments.Name, console.Out, console.Error)
                : console.Rich is { } rich ? new RichCheckReport(rich, console.Error)
                : new PlainCheckReport(console.Out, console.Error);
            return RunAsync(arguments, defaults.Configure, report, console.Error, cancellationToken);
        };
        return command;
    }

    /// <summary>Runs the command.</summary>
    /// <param name="arguments">What to run.</param>
    /// <param name="configure">Sets the defaults (directories, checks configured in code) before the arguments apply.</param>
    /// <param name="report">Where the results go.</param>
    /// <param name="error">Where logs and a bad <c>--agent-config</c> go.</param>
    /// <param name="cancellationToken">Interrupts the running check (Ctrl+C); no further run starts.</param>
    /// <returns>The process exit code: <see cref="ExitSucceeded"/>, <see cref="ExitFailed"/> or <see cref="ExitUsage"/>.</returns>
    public static async Task<int> RunAsync(CheckArguments arguments, Action<PyChecksOptions>? configure, ICheckReport report, TextWriter error, CancellationToken cancellationToken = default)
    {
        var options = new PyChecksOptions();
        configure?.Invoke(options);
        options.ConfigDirectory = arguments.ConfDir ?? options.ConfigDirectory;
        options.ChecksDirectory = arguments.ChecksDir ?? options.ChecksDirectory;
        if (arguments.Python is { } pythonPath)
        {
            options.Python.Python = pythonPath;
        }

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

        int exit = await RunWithHostAsync(arguments, options, report, error, cancellationToken).ConfigureAwait(false);
        report.Completed(exit);
        return exit;
    }

    private static async Task<int> RunWithHostAsync(CheckArguments arguments, PyChecksOptions options, ICheckReport report, TextWriter error, CancellationToken cancellationToken)
    {
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
            report.StartFailed(e.Message);
            return ExitFailed;
        }

        using (host)
        {
            report.Started(host.Runtime);

            // Only this check's configuration files are read, and only its module is imported.
            var loaded = host.LoadConfiguredChecks(arguments.Name);
            var checks = loaded.Checks.ToList();
            var errors = loaded.Errors.ToList();
            bool stuck = false;
            try
            {
                if (checks.Count == 0 && errors.Count == 0)
                {
                    report.NotConfigured(NotConfigured(arguments.Name, options.ConfigDirectory, host.GetConfiguredCheckNames()));
                    return ExitFailed;
                }

                int exit;
                (exit, stuck) = await RunAllAsync(arguments, host, checks, errors, recorder, options, report, cancellationToken).ConfigureAwait(false);
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

    /// <summary>What is said of a run left behind in C code.</summary>
    public static string StuckMessage(string checkId) =>
        $"{checkId} is stuck in C code: the command ends without it (only ending the process stops it; checks do not run in worker processes yet).";

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

    private static async Task<(int Exit, bool Stuck)> RunAllAsync(CheckArguments arguments, CheckHost host, List<ICheck> checks, List<Exception> errors, InMemorySender recorder, PyChecksOptions options, ICheckReport report, CancellationToken cancellationToken)
    {
        foreach (var e in errors)
        {
            report.NotLoaded(e.Message);
        }

        if (checks.Count == 0)
        {
            return (ExitFailed, false);
        }

        int succeeded = 0, failed = 0, timedOut = 0;
        bool stuck = false, stopped = false;
        try
        {
            for (int run = 1; run <= arguments.Times && !stuck; run++)
            {
                if (run > 1 && arguments.Pause > TimeSpan.Zero)
                {
                    await Task.Delay(arguments.Pause, cancellationToken).ConfigureAwait(false);
                }

                foreach (var check in checks)
                {
                    recorder.Clear();
                    var timeout = arguments.Timeout ?? DefaultTimeout(host.RunTimeoutOf(check));
                    var outcome = await TimedRun.RunAsync(check, timeout, options.StuckRunGrace, cancellationToken).ConfigureAwait(false);
                    if (outcome.Result.Succeeded)
                    {
                        succeeded++;
                    }
                    else
                    {
                        failed++;
                        timedOut += outcome.TimedOut ? 1 : 0;
                    }

                    report.Ran(check, outcome, recorder, run, arguments.Times);
                    if (outcome.Stuck)
                    {
                        // Its worker is lost until the call returns, which may be never: run nothing more, and end.
                        stuck = true;
                        report.Stuck(check.Id);
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = true;
            report.Stopped();
            failed = Math.Max(failed, 1); // an interrupted command did not run what it was asked to
        }

        var tally = new CheckTally(arguments.Name, checks.Count, errors.Count, succeeded, failed, timedOut, stuck, stopped);
        report.Ended(tally);
        return (tally.AllSucceeded ? ExitSucceeded : ExitFailed, stuck);
    }

    // An interval of 0 (run as often as possible) is no timeout: the scheduler's default interval instead.
    private static TimeSpan DefaultTimeout(TimeSpan configured) => configured > TimeSpan.Zero ? configured : TimeSpan.FromSeconds(15);

    private static string? Existing(ArgumentResult result, string option, Func<string, bool> exists, string kind)
    {
        if (result.Tokens is not [var token])
        {
            result.AddError($"{option} needs a value");
            return null;
        }

        if (!exists(token.Value))
        {
            result.AddError($"{option}: no such {kind}: {token.Value}");
            return null;
        }

        return Path.GetFullPath(token.Value);
    }

    private static T Parse<T>(ArgumentResult result, string option, Func<string, T?> parse, string expected)
        where T : struct
    {
        if (result.Tokens is not [var token])
        {
            result.AddError($"{option} needs a value");
            return default;
        }

        if (parse(token.Value) is { } value)
        {
            return value;
        }

        result.AddError($"{option} must be {expected}, not '{token.Value}'");
        return default;
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
