using System.Globalization;
using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Tests.Infrastructure;

/// <summary>One run as a host's <see cref="Hosts.RunRecorder"/> wrote it.</summary>
public readonly record struct Run(string Host, long UnixMs, string CheckId);

/// <summary>
/// The runs of every host, read from the files their recorders write. A cluster check runs on its beat (a phase within
/// its interval taken from its check id), wherever it runs: <see cref="Slot"/> names the beat a run belongs to, so that
/// a beat run twice (an overlap) or never (a loss) shows.
/// </summary>
public sealed class RunLog(string folder, TimeSpan interval)
{
    public TimeSpan Interval { get; } = interval;

    public static string FileOf(string folder, string host) => Path.Combine(folder, host + ".runs");

    /// <summary>Every run recorded so far; a line being written is left out.</summary>
    public List<Run> Read()
    {
        var runs = new List<Run>();
        foreach (string file in Directory.EnumerateFiles(folder, "*.runs"))
        {
            string host = Path.GetFileNameWithoutExtension(file);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            string text = reader.ReadToEnd();
            int end = text.LastIndexOf('\n');
            foreach (string line in text[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                runs.Add(new Run(host, long.Parse(line.AsSpan(0, space), CultureInfo.InvariantCulture), line[(space + 1)..]));
            }
        }

        return runs;
    }

    /// <summary>The beat that a run at <paramref name="unixMs"/> of <paramref name="checkId"/> belongs to (the nearest).</summary>
    public long Slot(string checkId, long unixMs)
    {
        long period = Interval.Ticks;
        long phase = (long)(Rendezvous.Hash(checkId) % (ulong)period);
        long ticks = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcTicks - phase;
        return (ticks + (period / 2)) / period;
    }

    /// <summary>The start of beat <paramref name="slot"/> of <paramref name="checkId"/>, in unix ms.</summary>
    public long SlotTime(string checkId, long slot)
    {
        long period = Interval.Ticks;
        long phase = (long)(Rendezvous.Hash(checkId) % (ulong)period);
        return new DateTimeOffset((slot * period) + phase, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    /// <summary>Which host ran each instance in the last full interval before <paramref name="untilMs"/> (the last run wins).</summary>
    public static Dictionary<string, string> OwnersBetween(IEnumerable<Run> runs, long fromMs, long untilMs)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in runs.Where(r => r.UnixMs >= fromMs && r.UnixMs < untilMs).OrderBy(static r => r.UnixMs))
        {
            owners[run.CheckId] = run.Host;
        }

        return owners;
    }
}
