using System.Globalization;

namespace PyChecks.Soak;

/// <summary>The command line: <c>&lt;scenario&gt; [--python PATH] [--duration 10m] [--scale N] [--workers N] [--timeout 30m]</c>.</summary>
internal sealed record SoakArguments(string Scenario, string? Python, TimeSpan? Duration, long? Scale, TimeSpan? Timeout, int? Workers = null)
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/PyChecks.Soak -- <scenario> [options]

        scenarios:
          runs       1,000,000 runs of a small check through ICheck.RunAsync; managed heap, RSS,
                     native and Python memory must not grow after warm-up
          gil        64 threads x 100,000 GIL scopes, plus threads that enter once and exit;
                     no deadlock, no lost update, memory bounded
          schedule   10,000 scheduled instances on the real clock for --duration (default 10m);
                     every due tick is a run or a reported skip, backlog and memory bounded
          api        the local control API (Unix socket, token) under 10,000 malformed requests
                     sent alongside valid ones; no 5xx, every refusal a 4xx, nothing unconfigured imported
          workers    1,000 scheduled instances in worker processes for --duration (default 10m), beside
                     one that crashes its worker every few seconds; no run lost or doubled, the worker
                     restarted each time, host memory and file descriptors bounded
          all        the five, one after the other, each in a process of its own

        options:
          --python PATH     libpython (or a python executable); default: what discovery finds
                            (PYCHECKS_PYTHON, then the system's libpython)
          --duration SPAN   schedule: how long to measure (e.g. 90s, 10m); workers: how long to run;
                            default 10m
          --scale N         runs: runs (default 1,000,000); gil: scopes per thread (default 100,000);
                            schedule: instances (default 10,000); api: malformed requests (default 10,000);
                            workers: instances beside the crashing one (default 1,000)
          --workers N       workers: worker processes (default: one per core)
          --timeout SPAN    watchdog: fail the scenario if it has not ended by then (default: per scenario)

        exit codes: 0 everything held, 1 a requirement did not hold, 2 bad arguments,
                    3 the watchdog fired, 4 the scenario crashed
        """;

    public static SoakArguments? Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return null;
        }

        string? python = null;
        TimeSpan? duration = null, timeout = null;
        long? scale = null;
        int? workers = null;
        for (int i = 1; i < args.Length; i++)
        {
            if (i + 1 >= args.Length)
            {
                return null;
            }

            string value = args[++i];
            switch (args[i - 1])
            {
                case "--python": python = value; break;
                case "--duration": duration = ParseSpan(value); break;
                case "--timeout": timeout = ParseSpan(value); break;
                case "--scale": scale = long.Parse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.AllowThousands, CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture); break;
                default: return null;
            }
        }

        return new SoakArguments(args[0], python, duration, scale, timeout, workers);
    }

    /// <summary>Passes the options on to a child process running one scenario.</summary>
    public IEnumerable<string> ForScenario(string scenario)
    {
        yield return scenario;
        if (Python is not null)
        {
            yield return "--python";
            yield return Python;
        }

        if (Duration is { } duration && scenario is "schedule" or "workers")
        {
            yield return "--duration";
            yield return duration.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        if (Workers is { } workers && scenario == "workers")
        {
            yield return "--workers";
            yield return workers.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary><c>90s</c>, <c>10m</c>, <c>1h</c>, <c>500ms</c>, or a <see cref="TimeSpan"/> (<c>00:10:00</c>).</summary>
    private static TimeSpan ParseSpan(string text)
    {
        static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(Number(text[..^2])),
            _ when text.EndsWith('s') => TimeSpan.FromSeconds(Number(text[..^1])),
            _ when text.EndsWith('m') => TimeSpan.FromMinutes(Number(text[..^1])),
            _ when text.EndsWith('h') => TimeSpan.FromHours(Number(text[..^1])),
            _ => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
        };
    }
}
