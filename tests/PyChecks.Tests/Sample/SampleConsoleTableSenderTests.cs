using NUnit.Framework;
using PyChecks.Sample;

namespace PyChecks.Tests.Sample;

/// <summary>The sample's console sender keeps the latest value per series and renders it as lines or as a table.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SampleConsoleTableSenderTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Test]
    public void PlainLines_OnePerRunAndOnePerValueThatChanged()
    {
        var output = new StringWriter();
        var time = new ManualTime(Start);
        using var sender = new ConsoleTableSender(output, redraw: false, TimeSpan.Zero, time: time) { Title = "title" };

        Gauge(sender, "c:1", "load", 1.5, ["env:dev"]);
        sender.SubmitServiceCheck(new ServiceCheckSample { CheckId = "c:1", Name = "up", Status = ServiceCheckStatus.Critical, Tags = ["port:80"], Hostname = "", Message = "refused" });
        sender.Commit(Run("c:1", succeeded: false));
        sender.Flush();
        string clock = Start.ToLocalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Lines(output), Is.EqualTo(new[]
        {
            "title",
            $"{clock} c:1 gauge load = 1.5 [env:dev]",
            $"{clock} c:1 service_check up = CRITICAL [port:80] refused",
            $"{clock} c:1 run 1 FAILED",
        }));

        output.GetStringBuilder().Clear();
        Gauge(sender, "c:1", "load", 1.5, ["env:dev"]); // unchanged
        Gauge(sender, "c:1", "load", 7, ["env:prod"]);  // another series
        sender.Commit(Run("c:1", succeeded: true));
        sender.Flush();
        Assert.That(Lines(output), Is.EqualTo(new[]
        {
            $"{clock} c:1 gauge load = 7 [env:prod]",
            $"{clock} c:1 run 2 succeeded",
        }));

        output.GetStringBuilder().Clear();
        sender.Flush();
        Assert.That(output.ToString(), Is.Empty, "nothing changed, nothing printed");
    }

    [Test]
    public void Table_ShowsOnlyTheLatestValuePerSeries_SortedByCheckNameAndTags_RedrawnInPlace()
    {
        var output = new StringWriter();
        var time = new ManualTime(Start);
        using var sender = new ConsoleTableSender(output, redraw: true, TimeSpan.Zero, () => (0, 0), time);
        Gauge(sender, "web:1", "latency", 0.25, ["url:/a"]);
        Gauge(sender, "db:1", "connections", 3, []);
        Gauge(sender, "web:1", "latency", 0.5, ["url:/a"]);
        sender.SubmitEvent(new CheckEvent { CheckId = "web:1", Title = "Deployed", Text = "v2", AlertType = "info" });
        sender.Commit(Run("web:1", succeeded: true));
        time.Now += TimeSpan.FromSeconds(3);
        sender.Flush();

        string frame = output.ToString();
        Assert.That(frame, Does.StartWith("\e[2J\e[H"), "the first frame clears the screen");
        string[] lines = frame.Replace("\e[2J", "").Replace("\e[H", "").Replace("\e[J", "").Split("\e[K\n");
        Assert.That(lines, Does.Contain("web:1     1       0  ok 3s ago"));
        int db = Array.FindIndex(lines, l => l.StartsWith("db:1   connections", StringComparison.Ordinal));
        int web = Array.FindIndex(lines, l => l.StartsWith("web:1  latency", StringComparison.Ordinal));
        Assert.That(db, Is.Positive.And.LessThan(web), string.Join("\n", lines));
        Assert.That(lines[web], Does.Match(@"^web:1  latency\s+gauge\s+0\.5  url:/a$"), "the latest value only");
        Assert.That(lines.Count(l => l.Contains("latency", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines, Has.Some.Match(@"^web:1\s+3s ago\s+info\s+Deployed v2$"));

        output.GetStringBuilder().Clear();
        sender.Flush();
        Assert.That(output.ToString(), Does.StartWith("\e[H").And.EndWith("\e[J"), "later frames overwrite the previous one and clear what is left of it");
    }

    [Test]
    public void Table_CutsLinesToTheTerminalWidth()
    {
        var output = new StringWriter();
        using var sender = new ConsoleTableSender(output, redraw: true, TimeSpan.Zero, () => (30, 0), new ManualTime(Start));
        Gauge(sender, "c:1", "a.rather.long.metric.name", 1, ["and:some", "long:tags"]);
        sender.Flush();
        string[] lines = output.ToString().Split("\e[K\n");
        Assert.That(lines.Where(l => !l.Contains('\e', StringComparison.Ordinal)), Has.All.Length.LessThanOrEqualTo(30));
        Assert.That(lines, Has.Some.EndsWith("…"));
    }

    [Test]
    public void Table_TallerThanTheTerminal_IsCutToItsHeight()
    {
        var output = new StringWriter();
        using var sender = new ConsoleTableSender(output, redraw: true, TimeSpan.Zero, () => (0, 10), new ManualTime(Start));
        for (int i = 0; i < 20; i++)
        {
            Gauge(sender, "c:1", $"m{i:00}", i, []);
        }

        sender.Flush();
        string[] lines = output.ToString().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(10), "9 lines, then the cursor on the last one");
        Assert.That(lines[^2], Does.StartWith("… 17 more lines: "));
        Assert.That(lines[^1], Is.EqualTo("\e[J"));
    }

    [Test]
    public void SubmissionsFromSeveralThreads_WhileFlushing_KeepTheLatestOfEverySeries()
    {
        var output = new StringWriter();
        using var sender = new ConsoleTableSender(TextWriter.Synchronized(output), redraw: false, TimeSpan.Zero, time: new ManualTime(Start));
        using var stop = new CancellationTokenSource();
        var flusher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                sender.Flush();
            }
        });

        Parallel.For(0, 8, thread =>
        {
            string checkId = $"c:{thread}";
            for (int i = 1; i <= 2000; i++)
            {
                Gauge(sender, checkId, "n", i, [$"series:{i % 10}"]);
                if (i % 100 == 0)
                {
                    sender.Commit(Run(checkId, succeeded: true));
                }
            }
        });
        stop.Cancel();
        flusher.Wait();
        output.GetStringBuilder().Clear();

        using var table = new ConsoleTableSender(output, redraw: true, TimeSpan.Zero, () => (0, 0), new ManualTime(Start));
        Parallel.For(0, 8, thread =>
        {
            for (int i = 1; i <= 500; i++)
            {
                Gauge(table, $"c:{thread}", "n", i, [$"series:{i % 10}"]);
            }
        });
        table.Flush();
        var rows = output.ToString().Split("\e[K\n").Where(l => l.StartsWith("c:", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Has.Count.EqualTo(80), "8 checks × 10 series");
        Assert.That(rows.Where(r => r.EndsWith("series:0", StringComparison.Ordinal)), Has.All.Match(@"\s500  series:0$"));
    }

    private static void Gauge(ConsoleTableSender sender, string checkId, string name, double value, string[] tags) =>
        sender.SubmitMetric(new MetricSample { CheckId = checkId, Type = MetricType.Gauge, Name = name, Value = value, Tags = tags, Hostname = "" });

    private static CheckRunSummary Run(string checkId, bool succeeded) =>
        new() { CheckId = checkId, CheckName = checkId.Split(':')[0], Succeeded = succeeded, Metrics = 0, ServiceChecks = 0, Events = 0, HistogramBuckets = 0 };

    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
