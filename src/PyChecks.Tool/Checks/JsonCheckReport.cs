using System.Text.Json;
using PyChecks.Tool.Json;

namespace PyChecks.Tool.Checks;

/// <summary>The <c>check</c> command's report as one JSON document (<see cref="CheckCommandReport"/>), written when the command is over.</summary>
internal sealed class JsonCheckReport(string check, TextWriter output, TextWriter error) : ICheckReport
{
    private readonly List<CheckCommandRun> _runs = [];
    private readonly List<string> _notLoaded = [];
    private CheckCommandPython? _python;
    private string? _error;
    private string? _notConfigured;
    private CheckTally? _tally;

    /// <inheritdoc />
    public void Started(PythonRuntime runtime) =>
        _python = new CheckCommandPython(runtime.Version.ToString(), runtime.Location.LibraryPath, runtime.Location.Source, runtime.Location.Executable);

    /// <inheritdoc />
    public void StartFailed(string message)
    {
        _error = message;
        error.WriteLine($"error: {message}");
    }

    /// <inheritdoc />
    public void NotConfigured(string message) => _notConfigured = message;

    /// <inheritdoc />
    public void NotLoaded(string message) => _notLoaded.Add(message);

    /// <inheritdoc />
    public void Ran(ICheck check, RunOutcome outcome, InMemorySender recorder, int run, int runs)
    {
        var result = outcome.Result;
        _runs.Add(new CheckCommandRun
        {
            CheckId = check.Id,
            Run = run,
            Outcome = result.Succeeded ? "ok" : outcome.Stuck ? "stuck" : outcome.TimedOut ? "timeout" : result.Interrupted ? "interrupted" : "error",
            Succeeded = result.Succeeded,
            Error = result.Succeeded ? null : result.Error ?? string.Empty,
            Traceback = result.Traceback,
            Warnings = [.. result.Warnings],
            StartedAt = result.StartedAt,
            DurationSeconds = result.Duration.TotalSeconds,
            TimeoutSeconds = outcome.Timeout.TotalSeconds,
            Metrics = [.. recorder.Metrics.Where(m => m.CheckId == check.Id).Select(m => new SubmittedMetric(m.Name, MetricTypeNames.Of(m.Type), m.Value, m.Tags, m.Hostname))],
            ServiceChecks = [.. recorder.ServiceChecks.Where(s => s.CheckId == check.Id).Select(s => new SubmittedServiceCheck(s.Name, s.Status.ToString().ToLowerInvariant(), s.Message, s.Tags, s.Hostname))],
            Events = [.. recorder.Events.Where(e => e.CheckId == check.Id).Select(e => new SubmittedEvent(e.Title, e.Text, e.Timestamp, e.Priority, e.Host, e.AlertType, e.AggregationKey, e.SourceTypeName, e.EventType, e.Tags))],
            HistogramBuckets = [.. recorder.HistogramBuckets.Where(b => b.CheckId == check.Id).Select(b => new SubmittedHistogramBucket(b.Name, b.Value, b.LowerBound, b.UpperBound, b.Monotonic, b.Tags, b.Hostname))],
        });
    }

    /// <inheritdoc />
    public void Stuck(string checkId)
    {
        // The run's outcome says "stuck"; the summary too.
    }

    /// <inheritdoc />
    public void Stopped()
    {
        // The summary says "stopped".
    }

    /// <inheritdoc />
    public void Ended(CheckTally tally) => _tally = tally;

    /// <inheritdoc />
    public void Completed(int exitCode)
    {
        var report = new CheckCommandReport
        {
            Check = check,
            Python = _python,
            Error = _error,
            NotConfigured = _notConfigured,
            NotLoaded = _notLoaded,
            Runs = _runs,
            Summary = _tally is { } t ? new CheckCommandSummary(t.Instances, t.NotLoaded, t.Runs, t.Succeeded, t.Failed, t.TimedOut, t.Stuck, t.Stopped) : null,
            ExitCode = exitCode,
        };
        output.WriteLine(JsonSerializer.Serialize(report, ToolJsonContext.Tool.CheckCommandReport));
    }
}
