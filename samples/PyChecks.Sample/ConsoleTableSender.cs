using System.Globalization;
using System.Text;
using PyChecks.Tool.Checks;
using PyChecks.Tool.Terminal;

namespace PyChecks.Sample;

/// <summary>
/// An <see cref="ISender"/> that shows the latest value of every series — per check instance, metric and tags —
/// and of every service check, as a table redrawn in place once per refresh interval. When the output is
/// not a terminal it prints plain lines instead: one per run, and one per value that changed since the previous refresh.
/// </summary>
/// <remarks>
/// The <c>Submit*</c> methods and <see cref="Commit"/> only update a dictionary under a lock, as the GIL is held
/// while they run; formatting and writing happen on the refresh timer (or in <see cref="Flush"/>). Thread-safe.
/// </remarks>
internal sealed class ConsoleTableSender : ISender, IDisposable
{
    private const int EventsShown = 5;
    private const string Home = "\e[H", ClearScreen = "\e[2J", ClearToLineEnd = "\e[K", ClearBelow = "\e[J";

    private readonly TextWriter _output;
    private readonly bool _redraw;
    private readonly Func<(int Width, int Height)> _size;
    private readonly TimeProvider _time;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private readonly Lock _flushing = new();
    private readonly Dictionary<SeriesKey, Latest> _metrics = [];
    private readonly Dictionary<SeriesKey, Latest> _serviceChecks = [];
    private readonly Dictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private readonly Queue<(long Sequence, DateTimeOffset At, CheckEvent Event)> _events = new();
    private long _sequence;  // bumped by every change; a row remembers the sequence of its last change
    private long _flushed;   // the sequence of the last flush
    private bool _firstFrame = true;

    /// <summary>Creates the sender.</summary>
    /// <param name="output">Where the table or the lines go.</param>
    /// <param name="redraw">Redraw a table in place (a terminal), or print plain lines (redirected output).</param>
    /// <param name="refresh">How often to redraw; <see cref="TimeSpan.Zero"/> for never (call <see cref="Flush"/>).</param>
    /// <param name="size">The terminal's size in columns and lines, asked at each redraw; the table is cut to it (0: no limit). Default: no limit.</param>
    /// <param name="time">The clock for the ages shown. Default: the system's.</param>
    public ConsoleTableSender(TextWriter output, bool redraw, TimeSpan refresh, Func<(int Width, int Height)>? size = null, TimeProvider? time = null)
    {
        _output = output;
        _redraw = redraw;
        _size = size ?? (() => (0, 0));
        _time = time ?? TimeProvider.System;
        if (refresh > TimeSpan.Zero)
        {
            _timer = _time.CreateTimer(_ => Flush(), null, refresh, refresh);
        }
    }

    /// <summary>A line shown above the table (redraw mode) or once before the first line (plain mode).</summary>
    public string? Title { get; set; }

    /// <summary>A sender for the process's console: a table on a terminal, lines when stdout is redirected; refreshed every second.</summary>
    public static ConsoleTableSender ForConsole() =>
        new(Console.Out, !Console.IsOutputRedirected, TimeSpan.FromSeconds(1), ConsoleSize);

    /// <inheritdoc />
    public void SubmitMetric(in MetricSample sample)
    {
        var key = new SeriesKey(sample.CheckId, sample.Name, FormatTags(sample.Tags, sample.Hostname));
        string type = MetricTypeNames.Of(sample.Type);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Update(_metrics, key, type, TextTable.FormatNumber(sample.Value), string.Empty, now);
        }
    }

    /// <inheritdoc />
    public void SubmitServiceCheck(in ServiceCheckSample sample)
    {
        var key = new SeriesKey(sample.CheckId, sample.Name, FormatTags(sample.Tags, sample.Hostname));
        string status = sample.Status.ToString().ToUpperInvariant();
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Update(_serviceChecks, key, "service_check", status, sample.Message, now);
        }
    }

    /// <inheritdoc />
    public void SubmitEvent(CheckEvent checkEvent)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _events.Enqueue((++_sequence, now, checkEvent));
            if (_events.Count > EventsShown)
            {
                _events.Dequeue();
            }
        }
    }

    /// <inheritdoc />
    public void SubmitHistogramBucket(in HistogramBucketSample sample)
    {
        string bucket = string.Create(CultureInfo.InvariantCulture, $"{sample.Name}[{TextTable.FormatNumber(sample.LowerBound)},{TextTable.FormatNumber(sample.UpperBound)}]");
        var key = new SeriesKey(sample.CheckId, bucket, FormatTags(sample.Tags, sample.Hostname));
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            Update(_metrics, key, "bucket", sample.Value.ToString(CultureInfo.InvariantCulture), string.Empty, now);
        }
    }

    /// <inheritdoc />
    public void Commit(in CheckRunSummary run)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var previous = _runs.GetValueOrDefault(run.CheckId);
            _runs[run.CheckId] = new RunState(previous.Runs + 1, previous.Failures + (run.Succeeded ? 0 : 1), run.Succeeded, now, ++_sequence);
        }
    }

    /// <summary>Writes what changed since the previous flush: the whole table (redraw mode) or one line per change.</summary>
    public void Flush()
    {
        if (!_flushing.TryEnter())
        {
            return; // the timer fired while a flush is still writing
        }

        try
        {
            string? text = _redraw ? RenderTable() : RenderLines();
            if (text is not null)
            {
                _output.Write(text);
                _output.Flush();
            }
        }
        finally
        {
            _flushing.Exit();
        }
    }

    /// <summary>Stops the timer and writes what is left.</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        Flush();
    }

    private static (int Width, int Height) ConsoleSize()
    {
        try
        {
            return (Console.WindowWidth, Console.WindowHeight);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    // Keeps the sequence of a series whose value did not change, so plain mode prints only changes. Under _lock.
    private void Update(Dictionary<SeriesKey, Latest> series, SeriesKey key, string type, string value, string message, DateTimeOffset now)
    {
        bool same = series.TryGetValue(key, out var previous) && previous.Type == type && previous.Value == value && previous.Message == message;
        series[key] = new Latest(type, value, message, same ? previous.Sequence : ++_sequence, now);
    }

    private static string FormatTags(ReadOnlySpan<string> tags, string hostname)
    {
        string joined = tags.Length switch
        {
            0 => string.Empty,
            1 => tags[0],
            _ => string.Join(", ", tags),
        };
        return hostname.Length == 0 ? joined : joined.Length == 0 ? "host:" + hostname : $"{joined}, host:{hostname}";
    }

    private static string Age(DateTimeOffset now, DateTimeOffset then)
    {
        double seconds = Math.Max(0, (now - then).TotalSeconds);
        return seconds < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0}s ago")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0}m ago");
    }

    private string? RenderLines()
    {
        var text = new StringBuilder();
        lock (_lock)
        {
            if (_sequence == _flushed)
            {
                return null;
            }

            if (_flushed == 0 && Title is { Length: > 0 } title)
            {
                text.Append(title).Append('\n');
            }

            var changes = new List<(long Sequence, string Line)>();
            foreach (var (key, latest) in _metrics.Concat(_serviceChecks))
            {
                if (latest.Sequence > _flushed)
                {
                    string message = latest.Message.Length > 0 ? " " + latest.Message : string.Empty;
                    string tags = key.Tags.Length > 0 ? $" [{key.Tags}]" : string.Empty;
                    changes.Add((latest.Sequence, $"{Clock(latest.At)} {key.CheckId} {latest.Type} {key.Name} = {latest.Value}{tags}{message}"));
                }
            }

            foreach (var (sequence, at, checkEvent) in _events)
            {
                if (sequence > _flushed)
                {
                    changes.Add((sequence, $"{Clock(at)} {checkEvent.CheckId} event {checkEvent.AlertType} '{checkEvent.Title}' {checkEvent.Text}".TrimEnd()));
                }
            }

            foreach (var (checkId, run) in _runs)
            {
                if (run.Sequence > _flushed)
                {
                    string outcome = run.LastSucceeded ? "succeeded" : "FAILED";
                    changes.Add((run.Sequence, $"{Clock(run.At)} {checkId} run {run.Runs} {outcome}"));
                }
            }

            foreach (var (_, line) in changes.OrderBy(c => c.Sequence))
            {
                text.Append(line).Append('\n');
            }

            _flushed = _sequence;
        }

        return text.ToString();
    }

    private string? RenderTable()
    {
        var (width, height) = _size();
        width = Math.Max(0, width);
        var now = _time.GetUtcNow();
        var checks = new TextTable("CHECK", ">RUNS", ">FAILED", "LAST RUN");
        var metrics = new TextTable("CHECK", "METRIC", "TYPE", ">VALUE", "TAGS");
        var serviceChecks = new TextTable("CHECK", "SERVICE CHECK", "STATUS", "TAGS", "MESSAGE");
        var events = new TextTable("CHECK", "WHEN", "ALERT", "EVENT");
        lock (_lock)
        {
            _flushed = _sequence; // redrawn every time: the ages and the clock move on
            foreach (var (checkId, run) in _runs.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                checks.Add(checkId, Count(run.Runs), Count(run.Failures), $"{(run.LastSucceeded ? "ok" : "FAILED")} {Age(now, run.At)}");
            }

            foreach (var (key, latest) in _metrics.OrderBy(m => m.Key))
            {
                metrics.Add(key.CheckId, key.Name, latest.Type, latest.Value, key.Tags);
            }

            foreach (var (key, latest) in _serviceChecks.OrderBy(m => m.Key))
            {
                serviceChecks.Add(key.CheckId, key.Name, latest.Value, key.Tags, latest.Message.ReplaceLineEndings(" "));
            }

            foreach (var (_, at, checkEvent) in _events.Reverse())
            {
                events.Add(checkEvent.CheckId, Age(now, at), checkEvent.AlertType, $"{checkEvent.Title} {checkEvent.Text}".TrimEnd().ReplaceLineEndings(" "));
            }
        }

        var frame = new StringBuilder();
        frame.Append(_firstFrame ? ClearScreen + Home : Home);
        _firstFrame = false;
        var body = new StringBuilder();
        body.Append(Title is { Length: > 0 } title ? title : "PyChecks").Append(" · ").Append(Clock(now)).Append('\n');
        body.Append('\n');
        checks.AppendTo(body, string.Empty, width);
        body.Append('\n');
        metrics.AppendTo(body, string.Empty, width);
        if (serviceChecks.Count > 0)
        {
            body.Append('\n');
            serviceChecks.AppendTo(body, string.Empty, width);
        }

        if (events.Count > 0)
        {
            body.Append('\n');
            events.AppendTo(body, string.Empty, width);
        }

        // A frame taller than the terminal would scroll, and the next one would not start at its top.
        string[] lines = body.ToString().Split('\n');
        if (height > 1 && lines.Length > height - 1)
        {
            int kept = height - 2;
            lines = [.. lines.Take(kept), string.Create(CultureInfo.InvariantCulture, $"… {lines.Length - 1 - kept} more lines: enlarge the terminal, or redirect the output for plain lines"), string.Empty];
        }

        // Clear the rest of each line and everything below: the previous frame may have been longer.
        frame.AppendJoin(ClearToLineEnd + "\n", lines).Append(ClearBelow);
        return frame.ToString();
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Clock(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>One series: what the check submits under a name and a set of tags (and host).</summary>
    private readonly record struct SeriesKey(string CheckId, string Name, string Tags) : IComparable<SeriesKey>
    {
        public int CompareTo(SeriesKey other)
        {
            int byCheck = string.CompareOrdinal(CheckId, other.CheckId);
            if (byCheck != 0)
            {
                return byCheck;
            }

            int byName = string.CompareOrdinal(Name, other.Name);
            return byName != 0 ? byName : string.CompareOrdinal(Tags, other.Tags);
        }
    }

    /// <summary>The latest value of a series.</summary>
    private readonly record struct Latest(string Type, string Value, string Message, long Sequence, DateTimeOffset At);

    /// <summary>The runs of one check instance so far.</summary>
    private readonly record struct RunState(int Runs, int Failures, bool LastSucceeded, DateTimeOffset At, long Sequence);
}
