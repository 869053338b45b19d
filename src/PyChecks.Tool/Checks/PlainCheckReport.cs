using System.Globalization;
using System.Text;
using PyChecks.Tool.Terminal;

namespace PyChecks.Tool.Checks;

/// <summary>
/// The <c>check</c> command's report as plain lines, for a file, a pipe or a log: each run as a heading, then a table per
/// kind of submission; the last line counts the runs.
/// </summary>
internal sealed class PlainCheckReport(TextWriter output, TextWriter error) : ICheckReport
{
    /// <inheritdoc />
    public void Started(PythonRuntime runtime) =>
        output.WriteLine($"Python {runtime.Version} from {runtime.Location.LibraryPath} (found by {runtime.Location.Source}, started as {runtime.Location.Executable ?? "CPython's default program"})");

    /// <inheritdoc />
    public void StartFailed(string message) => error.WriteLine($"error: {message}");

    /// <inheritdoc />
    public void NotConfigured(string message)
    {
        output.WriteLine();
        output.WriteLine(message);
    }

    /// <inheritdoc />
    public void NotLoaded(string message)
    {
        output.WriteLine();
        output.WriteLine($"Not loaded: {message}");
    }

    /// <inheritdoc />
    public void Ran(ICheck check, RunOutcome outcome, InMemorySender recorder, int run, int runs) => output.Write(Format(check, outcome, recorder, run, runs));

    /// <inheritdoc />
    public void Stuck(string checkId)
    {
        output.WriteLine();
        output.WriteLine(CheckCommand.StuckMessage(checkId));
    }

    /// <inheritdoc />
    public void Stopped()
    {
        output.WriteLine();
        output.WriteLine("Stopped.");
    }

    /// <inheritdoc />
    public void Ended(CheckTally tally)
    {
        output.WriteLine();
        output.WriteLine(tally);
    }

    /// <inheritdoc />
    public void Completed(int exitCode)
    {
    }

    /// <summary>Formats <paramref name="outcome"/> and what <paramref name="recorder"/> received from <paramref name="check"/>.</summary>
    public static string Format(ICheck check, RunOutcome outcome, InMemorySender recorder, int run, int runs)
    {
        var result = outcome.Result;
        var text = new StringBuilder();
        text.Append('\n').Append(CultureInfo.InvariantCulture, $"=== {check.Id} · run {run} of {runs} ===\n");
        text.Append(CultureInfo.InvariantCulture, $"check   {check.Name} {check.Version}, every {check.Interval.TotalSeconds:0.###} s, {check.Source}\n");
        text.Append(CultureInfo.InvariantCulture, $"result  {Ended(outcome)} {result.Duration.TotalMilliseconds:0.0} ms");
        if (outcome.Stuck)
        {
            text.Append(CultureInfo.InvariantCulture, $" (timeout {TimedRun.Seconds(outcome.Timeout)}): blocked in C code, left behind");
        }
        else if (outcome.TimedOut)
        {
            text.Append(CultureInfo.InvariantCulture, $" (timeout {TimedRun.Seconds(outcome.Timeout)}): the run took longer than its timeout and was interrupted");
        }

        text.Append('\n');

        var metrics = recorder.Metrics.Where(m => m.CheckId == check.Id).ToList();
        var metricTable = new TextTable("NAME", "TYPE", ">VALUE", "TAGS", "HOSTNAME");
        foreach (var m in metrics)
        {
            metricTable.Add(m.Name, MetricTypeNames.Of(m.Type), TextTable.FormatNumber(m.Value), string.Join(", ", m.Tags), m.Hostname);
        }

        Section(text, "Metrics", metricTable);

        var serviceChecks = recorder.ServiceChecks.Where(s => s.CheckId == check.Id).ToList();
        var serviceCheckTable = new TextTable("NAME", "STATUS", "TAGS", "HOSTNAME", "MESSAGE");
        foreach (var s in serviceChecks)
        {
            serviceCheckTable.Add(s.Name, s.Status.ToString().ToUpperInvariant(), string.Join(", ", s.Tags), s.Hostname, OneLine(s.Message));
        }

        Section(text, "Service checks", serviceCheckTable);

        var eventTable = new TextTable("TITLE", "ALERT TYPE", "PRIORITY", "SOURCE", "TAGS", "TEXT");
        foreach (var e in recorder.Events.Where(e => e.CheckId == check.Id))
        {
            eventTable.Add(e.Title, e.AlertType, e.Priority, e.SourceTypeName, string.Join(", ", e.Tags), OneLine(e.Text));
        }

        Section(text, "Events", eventTable);

        var buckets = recorder.HistogramBuckets.Where(b => b.CheckId == check.Id).ToList();
        if (buckets.Count > 0)
        {
            var bucketTable = new TextTable("NAME", ">LOWER", ">UPPER", ">COUNT", "MONOTONIC", "TAGS", "HOSTNAME");
            foreach (var b in buckets)
            {
                bucketTable.Add(b.Name, TextTable.FormatNumber(b.LowerBound), TextTable.FormatNumber(b.UpperBound),
                    b.Value.ToString(CultureInfo.InvariantCulture), b.Monotonic ? "yes" : "no", string.Join(", ", b.Tags), b.Hostname);
            }

            Section(text, "Histogram buckets", bucketTable);
        }

        text.Append(CultureInfo.InvariantCulture, $"\nWarnings ({result.Warnings.Count})\n");
        foreach (string warning in result.Warnings)
        {
            text.Append("  ").Append(OneLine(warning)).Append('\n');
        }

        if (!result.Succeeded)
        {
            text.Append("\nError\n");
            text.Append("  ").Append(result.Error is { Length: > 0 } error ? error : "(no message)").Append('\n');
            foreach (string line in (result.Traceback ?? string.Empty).TrimEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                text.Append("  ").Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>How a run ended, as its <c>result</c> line says: <c>OK in</c>, <c>FAILED in</c>, <c>TIMED OUT after</c>, …</summary>
    public static string Ended(RunOutcome outcome) =>
        outcome.Result.Succeeded ? "OK in" : outcome.Stuck ? "STUCK after" : outcome.TimedOut ? "TIMED OUT after" : outcome.Result.Interrupted ? "INTERRUPTED in" : "FAILED in";

    private static void Section(StringBuilder text, string title, TextTable table)
    {
        text.Append(CultureInfo.InvariantCulture, $"\n{title} ({table.Count})\n");
        if (table.Count > 0)
        {
            table.AppendTo(text);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
