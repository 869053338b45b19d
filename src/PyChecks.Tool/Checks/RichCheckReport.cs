using System.Globalization;
using PyChecks.Tool.Terminal;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PyChecks.Tool.Checks;

/// <summary>
/// The <c>check</c> command's report on a terminal: each run under a rule, its result in colour, a table per kind of
/// submission that has any, its warnings, and its error with the traceback in a panel.
/// </summary>
internal sealed class RichCheckReport(IAnsiConsole console, TextWriter error) : ICheckReport
{
    /// <inheritdoc />
    public void Started(PythonRuntime runtime) => console.MarkupLine(
        $"[grey]Python {runtime.Version} from {Markup.Escape(runtime.Location.LibraryPath)} (found by {Markup.Escape(runtime.Location.Source)}, started as {Markup.Escape(runtime.Location.Executable ?? "CPython's default program")})[/]");

    /// <inheritdoc />
    public void StartFailed(string message) => error.WriteLine($"error: {message}");

    /// <inheritdoc />
    public void NotConfigured(string message) => console.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");

    /// <inheritdoc />
    public void NotLoaded(string message) => console.Write(new Panel(new Text(message)) { Header = new PanelHeader("[red]Not loaded[/]"), Border = BoxBorder.Rounded });

    /// <inheritdoc />
    public void Ran(ICheck check, RunOutcome outcome, InMemorySender recorder, int run, int runs)
    {
        var result = outcome.Result;
        console.WriteLine();
        console.Write(new Rule($"[bold]{Markup.Escape(check.Id)}[/] · run {run} of {runs}") { Justification = Justify.Left });
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]{Markup.Escape(check.Name)} {Markup.Escape(check.Version)}, every {check.Interval.TotalSeconds:0.###} s, {Markup.Escape(check.Source)}[/]"));
        string colour = result.Succeeded ? "green" : outcome.Stuck || outcome.TimedOut ? "yellow" : "red";
        string late = outcome.Stuck ? $" (timeout {TimedRun.Seconds(outcome.Timeout)}): blocked in C code, left behind"
            : outcome.TimedOut ? $" (timeout {TimedRun.Seconds(outcome.Timeout)}): the run took longer than its timeout and was interrupted"
            : string.Empty;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[{colour} bold]{PlainCheckReport.Ended(outcome)}[/] {result.Duration.TotalMilliseconds:0.0} ms{Markup.Escape(late)}"));

        Section("Metrics", recorder.Metrics.Where(m => m.CheckId == check.Id),
            ["NAME", "TYPE", ">VALUE", "TAGS", "HOSTNAME"],
            m => [m.Name, MetricTypeNames.Of(m.Type), TextTable.FormatNumber(m.Value), string.Join(", ", m.Tags), m.Hostname]);
        Section("Service checks", recorder.ServiceChecks.Where(s => s.CheckId == check.Id),
            ["NAME", "STATUS", "TAGS", "HOSTNAME", "MESSAGE"],
            s => [s.Name, s.Status.ToString().ToUpperInvariant(), string.Join(", ", s.Tags), s.Hostname, s.Message.ReplaceLineEndings(" ")]);
        Section("Events", recorder.Events.Where(e => e.CheckId == check.Id),
            ["TITLE", "ALERT TYPE", "PRIORITY", "SOURCE", "TAGS", "TEXT"],
            e => [e.Title, e.AlertType, e.Priority, e.SourceTypeName, string.Join(", ", e.Tags), e.Text.ReplaceLineEndings(" ")]);
        Section("Histogram buckets", recorder.HistogramBuckets.Where(b => b.CheckId == check.Id),
            ["NAME", ">LOWER", ">UPPER", ">COUNT", "MONOTONIC", "TAGS", "HOSTNAME"],
            b => [b.Name, TextTable.FormatNumber(b.LowerBound), TextTable.FormatNumber(b.UpperBound), b.Value.ToString(CultureInfo.InvariantCulture), b.Monotonic ? "yes" : "no", string.Join(", ", b.Tags), b.Hostname]);

        foreach (string warning in result.Warnings)
        {
            console.MarkupLine($"[yellow]warning[/] {Markup.Escape(warning.ReplaceLineEndings(" "))}");
        }

        if (!result.Succeeded)
        {
            var body = new List<IRenderable> { new Text(result.Error is { Length: > 0 } message ? message : "(no message)", new Style(Color.Red)) };
            if (result.Traceback is { Length: > 0 } traceback)
            {
                body.Add(new Text(traceback.TrimEnd()));
            }

            console.Write(new Panel(new Rows(body)) { Header = new PanelHeader("[red]Error[/]"), Border = BoxBorder.Rounded });
        }
    }

    /// <inheritdoc />
    public void Stuck(string checkId) => console.MarkupLine($"[red]{Markup.Escape(CheckCommand.StuckMessage(checkId))}[/]");

    /// <inheritdoc />
    public void Stopped() => console.MarkupLine("[yellow]Stopped.[/]");

    /// <inheritdoc />
    public void Ended(CheckTally tally)
    {
        console.WriteLine();
        console.MarkupLine($"[bold {(tally.AllSucceeded ? "green" : "red")}]{Markup.Escape(tally.ToString())}[/]");
    }

    /// <inheritdoc />
    public void Completed(int exitCode)
    {
    }

    // A table with a header per column (">" right-aligns it), or one grey line when there is nothing of that kind.
    private void Section<T>(string title, IEnumerable<T> items, string[] headers, Func<T, string[]> row)
    {
        var rows = items.Select(row).ToList();
        if (rows.Count == 0)
        {
            console.MarkupLine($"[grey]{title} (0)[/]");
            return;
        }

        var table = new Table { Border = TableBorder.Rounded, Title = new TableTitle($"{title} ({rows.Count})") };
        foreach (string header in headers)
        {
            var column = new TableColumn(header.TrimStart('>'));
            table.AddColumn(header.StartsWith('>') ? column.RightAligned() : column);
        }

        foreach (string[]? cells in rows)
        {
            table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());
        }

        console.Write(table);
    }
}
