using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PyChecks.Orleans.Tests.Hosts;
using PyChecks.Orleans.Tests.Infrastructure;

namespace PyChecks.Orleans.Tests.Bench;

/// <summary>
/// Failover time as the instances grow: three hosts on Redis clustering (the hosts and membership settings of
/// <see cref="ClusterFailoverTests"/>) share <c>N</c> cluster check instances at a 5 s interval; once every instance has
/// run in one interval, one host is killed with SIGKILL, and the time from the kill to the moment each of its instances
/// has run on another host is read from the hosts' run files. Run as
/// <c>dotnet PyChecks.Orleans.Tests.dll failover [--instances 1000,10000] [--repeat 3] [--interval 5] [--freeze] [--keep]</c>
/// (<c>--keep</c>: the run files and the hosts' logs stay in the temporary folder named on each result line).
/// </summary>
/// <remarks>
/// The breakdown, from the survivors' logs as they arrive (each line timed on arrival): <c>take</c>, the first change of
/// placement that schedules instances on a survivor after the kill (Orleans has declared the host dead, the survivor
/// has seen it and swept); <c>taken</c>, the last such change before every instance had run elsewhere (the survivors
/// have activated the dead host's share); then each instance waits for its beat, at most one interval.
/// </remarks>
public static partial class FailoverMeasurement
{
    private const string Killed = "c";

    public static async Task<int> RunAsync(string[] args)
    {
        int[] counts = [1_000, 10_000];
        int repeat = 3;
        int intervalSeconds = 5;
        bool freeze = false, keep = false;
        for (int i = 0; i < args.Length; i += 2)
        {
            if (args[i] is "--freeze" or "--keep")
            {
                freeze |= args[i] == "--freeze";
                keep |= args[i] == "--keep";
                i--;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                await Console.Error.WriteLineAsync($"option {args[i]} needs a value");
                return 2;
            }

            switch (args[i])
            {
                case "--instances":
                    counts = [.. args[i + 1].Split(',').Select(static n => int.Parse(n, CultureInfo.InvariantCulture))];
                    break;
                case "--repeat":
                    repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--interval":
                    intervalSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}");
                    return 2;
            }
        }

        var results = new List<Result>();
        foreach (int instances in counts)
        {
            for (int r = 1; r <= repeat; r++)
            {
                var result = await MeasureAsync(instances, TimeSpan.FromSeconds(intervalSeconds), freeze, keep);
                results.Add(result);
                Console.WriteLine(result.ToString());
            }
        }

        Console.WriteLine();
        foreach (var group in results.GroupBy(static r => r.Instances))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"summary instances={group.Key} runs={group.Count()} last_s={Stat(group, static r => r.LastMs)} median_instance_s={Stat(group, static r => r.MedianMs)} "
                + $"take_s={Stat(group, static r => r.TakeMs)} taken_s={Stat(group, static r => r.TakenMs)} sweep_end_s={Stat(group, static r => r.SweepEndMs)} "
                + $"after_taken_s={Stat(group, static r => r.LastMs - r.TakenMs)}"));
        }

        return 0;
    }

    private static string Stat(IEnumerable<Result> results, Func<Result, long> value)
    {
        var sorted = results.Select(value).Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2.0;
        return string.Create(CultureInfo.InvariantCulture, $"{median / 1000:0.00}({sorted[0] / 1000.0:0.00}-{sorted[^1] / 1000.0:0.00})");
    }

    private static async Task<Result> MeasureAsync(int instances, TimeSpan interval, bool freeze, bool keep)
    {
        using var redis = RedisServer.Start();
        string folder = Directory.CreateTempSubdirectory("pychecks-failover-").FullName;
        var hosts = new List<HostProcess>();
        var events = new List<(string Host, long UnixMs, string Line)>();
        try
        {
            var log = new RunLog(folder, interval);
            foreach (string name in new[] { "a", "b", Killed })
            {
                var host = HostProcess.Start(new HostSettings
                {
                    Name = name,
                    RedisPort = redis.Port,
                    SiloPort = FreePort.Next(),
                    GatewayPort = FreePort.Next(),
                    RecordFile = RunLog.FileOf(folder, name),
                    LogFile = keep ? Path.Combine(folder, name + ".log") : null,
                    Instances = instances,
                    IntervalSeconds = (long)interval.TotalSeconds,
                });
                host.LineReceived = (line, at) =>
                {
                    if (line.Contains("[1043]", StringComparison.Ordinal) || line.Contains("[1301]", StringComparison.Ordinal) || line.Contains("dead", StringComparison.OrdinalIgnoreCase))
                    {
                        lock (events)
                        {
                            events.Add((name, at, line));
                        }
                    }
                };
                hosts.Add(host);
            }

            await Task.WhenAll(hosts.Select(static h => h.WaitStartedAsync(TimeSpan.FromSeconds(120))));
            var settings = hosts[0].Settings;
            long intervalMs = (long)interval.TotalMilliseconds;
            await WaitForAsync(log, owners => owners.Count == instances && owners.Values.Distinct().Count() == 3, TimeSpan.FromSeconds(120), 0);
            await Task.Delay(2 * interval);

            string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            long killedAt = Now();
            if (freeze)
            {
                using var stop = Process.Start("kill", ["-STOP", hosts[2].ProcessId.ToString(CultureInfo.InvariantCulture)]);
                await stop.WaitForExitAsync();
            }
            else
            {
                hosts[2].Kill();
            }

            var killedOwned = RunLog.OwnersBetween(log.Read(), killedAt - intervalMs, killedAt).Where(static o => o.Value == Killed).Select(static o => o.Key).ToHashSet(StringComparer.Ordinal);

            Dictionary<string, long> firstElsewhere = [];
            var deadline = Stopwatch.StartNew();
            while (firstElsewhere.Count < killedOwned.Count)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"{firstElsewhere.Count} of {killedOwned.Count} instances ran elsewhere within 120 s; runs in {folder}");
                }

                await Task.Delay(500);
                firstElsewhere = log.Read().Where(r => r.UnixMs > killedAt && r.Host != Killed && killedOwned.Contains(r.CheckId))
                    .GroupBy(static r => r.CheckId)
                    .ToDictionary(static g => g.Key, static g => g.Min(static r => r.UnixMs), StringComparer.Ordinal);
            }

            long recoveredAt = firstElsewhere.Values.Max();
            var delays = firstElsewhere.Values.Select(v => v - killedAt).Order().ToList();
            List<(string Host, long UnixMs, string Line)> after;
            lock (events)
            {
                after = [.. events.Where(e => e.UnixMs >= killedAt && e.Host != Killed)];
            }

            var takes = after.Where(static e => Added(e.Line) > 0).ToList();
            long take = takes.Count == 0 ? -1 : takes.Min(static e => e.UnixMs) - killedAt;
            long taken = takes.Count == 0 ? -1 : takes.Where(e => e.UnixMs <= recoveredAt).Max(static e => e.UnixMs) - killedAt;
            var sweeps = after.Where(static e => e.Line.Contains("over 2 active silo(s)", StringComparison.Ordinal)).ToList();
            long sweepEnd = sweeps.Count == 0 ? -1 : sweeps.GroupBy(static e => e.Host).Max(static g => g.Min(static e => e.UnixMs)) - killedAt;
            string sweepLog = string.Join(';', sweeps.Where(e => e.UnixMs <= recoveredAt).Select(e =>
            {
                var m = SweptPattern().Match(e.Line);
                return string.Create(CultureInfo.InvariantCulture, $"{e.Host}@{(e.UnixMs - killedAt) / 1000.0:0.00}:ensured={m.Groups[1].Value},failed={m.Groups[2].Value}");
            }));
            int takenLater = takes.Where(e => e.UnixMs - killedAt > sweepEnd && e.UnixMs <= recoveredAt).Sum(static e => Added(e.Line));
            string firstDead = after.Where(static e => e.Line.Contains("dead", StringComparison.OrdinalIgnoreCase)).Select(e => $"{(e.UnixMs - killedAt) / 1000.0:0.00}s {e.Host}: {Shorten(e.Line)}").FirstOrDefault() ?? "-";
            return new Result(instances, killedOwned.Count, delays[^1], delays[delays.Count / 2], take, taken, sweepEnd, takenLater, sweepLog, load, (settings.MissedProbes * settings.ProbeTimeout) + settings.TableRefresh, firstDead);
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }

            if (keep)
            {
                Console.WriteLine($"runs and host logs kept in {folder}");
            }
            else
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static int Added(string line)
    {
        var match = AddedPattern().Match(line);
        return match.Success && line.Contains("[1043]", StringComparison.Ordinal) ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"Placement changed: (\d+) instance\(s\) now run here")]
    private static partial Regex AddedPattern();

    [GeneratedRegex(@": (\d+) ensured here, \d+ moved away, \d+ stopped, (\d+) call\(s\) failed")]
    private static partial Regex SweptPattern();

    private static string Shorten(string line) => line.Length <= 160 ? line : line[..160];

    private static async Task WaitForAsync(RunLog log, Func<Dictionary<string, string>, bool> condition, TimeSpan timeout, long since)
    {
        long intervalMs = (long)log.Interval.TotalMilliseconds;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            long now = Now();
            if (now - intervalMs >= since && condition(RunLog.OwnersBetween(log.Read(), now - intervalMs, now)))
            {
                return;
            }
        }

        throw new TimeoutException($"the cluster did not settle within {timeout.TotalSeconds:0} s");
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>One failover: times in ms from the kill.</summary>
    private sealed record Result(int Instances, int KilledOwned, long LastMs, long MedianMs, long TakeMs, long TakenMs, long SweepEndMs, int TakenAfterFirstSweeps, string Sweeps, string LoadAverage, TimeSpan Detection, string FirstDead)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"failover instances={Instances} killed_host_instances={KilledOwned} last_s={LastMs / 1000.0:0.00} median_instance_s={MedianMs / 1000.0:0.00} "
            + $"take_s={TakeMs / 1000.0:0.00} taken_s={TakenMs / 1000.0:0.00} sweep_end_s={SweepEndMs / 1000.0:0.00} after_taken_s={(LastMs - TakenMs) / 1000.0:0.00} "
            + $"taken_after_first_sweeps={TakenAfterFirstSweeps} sweeps={Sweeps} "
            + $"configured_detection_s={Detection.TotalSeconds:0.0} load_avg={LoadAverage} first_dead_line={FirstDead}");
    }
}
