using System.Diagnostics;

namespace PyChecks.Soak;

/// <summary>
/// Soak and load programs (see README.md): <c>dotnet run -c Release --project tests/PyChecks.Soak -- &lt;scenario&gt;</c>.
/// Each scenario prints what it measured and which requirements held, and exits non-zero when one did not.
/// </summary>
internal static class Program
{
    private const int Held = 0, NotHeld = 1, BadArguments = 2, WatchdogFired = 3, Crashed = 4;

    private static readonly Dictionary<string, (Action<SoakArguments, Verdict> Run, Func<SoakArguments, TimeSpan> Timeout)> s_scenarios = new(StringComparer.Ordinal)
    {
        ["runs"] = (RunsScenario.Run, static _ => TimeSpan.FromMinutes(40)),
        ["gil"] = (GilScenario.Run, static _ => TimeSpan.FromMinutes(15)),
        ["schedule"] = (ScheduleScenario.Run, static a => ScheduleScenario.DurationOf(a) + TimeSpan.FromMinutes(10)),
        ["api"] = (ApiScenario.Run, static _ => TimeSpan.FromMinutes(15)),
        ["workers"] = (WorkersScenario.Run, static a => WorkersScenario.DurationOf(a) + TimeSpan.FromMinutes(10)),
    };

    public static int Main(string[] args)
    {
        var arguments = SoakArguments.Parse(args);
        if (arguments is null || (arguments.Scenario != "all" && !s_scenarios.ContainsKey(arguments.Scenario)))
        {
            Console.Error.WriteLine(SoakArguments.Usage);
            return BadArguments;
        }

        return arguments.Scenario == "all" ? RunAll(arguments) : RunOne(arguments);
    }

    private static int RunOne(SoakArguments arguments)
    {
        var (run, defaultTimeout) = s_scenarios[arguments.Scenario];
        var timeout = arguments.Timeout ?? defaultTimeout(arguments);
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"== PyChecks soak: {arguments.Scenario} · {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
        Console.WriteLine($"machine: {ProcessProbe.Machine()}");
        Console.WriteLine($"load average at start: {ProcessProbe.LoadAverage()} · watchdog: {timeout:g}");
        StartWatchdog(arguments.Scenario, timeout);

        var verdict = new Verdict();
        try
        {
            run(arguments, verdict);
        }
#pragma warning disable CA1031 // A crash is a result of the soak: it is printed and the exit code says so.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.WriteLine($"{arguments.Scenario}: CRASHED after {clock.Elapsed:g}: {e}");
            return Crashed;
        }

        Console.WriteLine($"load average at end: {ProcessProbe.LoadAverage()} · elapsed {clock.Elapsed:g}");
        verdict.PrintSummary(arguments.Scenario);
        return verdict.Passed ? Held : NotHeld;
    }

    /// <summary>Every scenario in a process of its own (CPython starts once per process); the worst exit code wins.</summary>
    private static int RunAll(SoakArguments arguments)
    {
        int worst = Held;
        var results = new List<string>();
        foreach (string scenario in s_scenarios.Keys)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                start.ArgumentList.Add(typeof(Program).Assembly.Location);
            }

            foreach (string argument in arguments.ForScenario(scenario))
            {
                start.ArgumentList.Add(argument);
            }

            using var child = Process.Start(start)!;
            child.WaitForExit();
            worst = Math.Max(worst, child.ExitCode);
            results.Add($"{scenario}: exit code {child.ExitCode}");
            Console.WriteLine();
        }

        Console.WriteLine("== all scenarios: " + string.Join(", ", results));
        return worst;
    }

    /// <summary>Ends the process with <see cref="WatchdogFired"/> if the scenario has not ended in time (a deadlock, or a hang).</summary>
    private static void StartWatchdog(string scenario, TimeSpan timeout)
    {
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(timeout);
            Console.WriteLine($"{scenario}: FAILED: the watchdog fired after {timeout:g}: the scenario did not end (deadlock or hang); load average {ProcessProbe.LoadAverage()}");
            Console.Out.Flush();
            Environment.Exit(WatchdogFired);
        })
        {
            IsBackground = true,
            Name = "soak watchdog",
        };
        watchdog.Start();
    }
}
