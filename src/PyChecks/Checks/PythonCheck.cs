using System.Diagnostics;
using System.Text.Json;

namespace PyChecks.Checks;

/// <summary>A Python check instance: the check object, its bound <c>run</c>, and its submission context.</summary>
internal sealed class PythonCheck : ICheck
{
    private readonly PythonRuntime _runtime;
    private readonly SubmissionRouter _router;
    private readonly CheckRunContext _context;
    private readonly PyObject _instance;
    private readonly PyObject _run;
    private readonly PyObject _getWarnings;
    private readonly Func<CheckRunResult> _runOnWorker;
    private int _disposed;
    private int _running;

    public PythonCheck(PythonRuntime runtime, SubmissionRouter router, CheckInstanceConfig config, PyObject instance, string source, string version, IReadOnlyList<string> loadWarnings)
    {
        _runtime = runtime;
        _router = router;
        _instance = instance;
        _run = instance.GetAttr("run");
        _getWarnings = instance.GetAttr("get_warnings");
        _runOnWorker = Run;
        Id = config.CheckId;
        Name = config.CheckName;
        Interval = config.Interval;
        Source = source;
        Version = version;
        LoadWarnings = loadWarnings;
        _context = new CheckRunContext(config.CheckId, config.CheckName, config.Tags);
        router.Register(_context);
    }

    public string Id { get; }

    public string Name { get; }

    public string Version { get; }

    public TimeSpan Interval { get; }

    public string Source { get; }

    public IReadOnlyList<string> LoadWarnings { get; }

    public IReadOnlyDictionary<string, string> Metadata => _context.Metadata;

    public Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return Task.FromException<CheckRunResult>(new InvalidOperationException($"Check {Id} is already running; an instance runs one run at a time."));
        }

        var run = _runtime.RunAsync(_runOnWorker, cancellationToken);
        if (run.IsCompleted)
        {
            EndRun();
            return run;
        }

        return run.ContinueWith(
            static (task, state) =>
            {
                ((PythonCheck)state!).EndRun();
                return task;
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    public void Cancel()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using var gil = _runtime.AcquireGil();
        _instance.CallMethod("cancel").Dispose();
    }

    /// <summary>Releases the Python check; when a run is in progress, as soon as it ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _router.Unregister(_context);
        if (Volatile.Read(ref _running) == 0)
        {
            Release();
        }
    }

    private void EndRun()
    {
        Volatile.Write(ref _running, 0);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Release();
        }
    }

    private void Release()
    {
        _run.Dispose();
        _getWarnings.Dispose();
        _instance.Dispose();
    }

    /// <summary>One run, on a Python worker with the GIL held.</summary>
    private CheckRunResult Run()
    {
        var startedAt = DateTimeOffset.UtcNow;
        long start = Stopwatch.GetTimestamp();
        string? error = null, traceback = null;
        var previous = CheckRunContext.Current;
        _context.ResetCounts();
        CheckRunContext.Current = _context;
        try
        {
            // run() returns '' on success: no wrapper, no string.
            using var outcome = _run.CallUnlessEmpty();
            string text = outcome?.As<string>() ?? string.Empty;
            if (text.Length != 0)
            {
                (error, traceback) = ParseRunError(text);
                if (error.Length == 0)
                {
                    // raise ValueError() has an empty message: name the exception instead.
                    error = traceback?.TrimEnd().Split('\n')[^1] ?? "the check failed without a message";
                }
            }
        }
        catch (PythonException e)
        {
            // SystemExit, KeyboardInterrupt and other BaseExceptions escape AgentCheck.run(): still a failed run.
            error = e.Message;
            traceback = e.PythonTraceback;
        }
        finally
        {
            CheckRunContext.Current = previous;
        }

        var duration = Stopwatch.GetElapsedTime(start);
        IReadOnlyList<string> warnings = ReadWarnings();
        var result = new CheckRunResult
        {
            CheckId = Id,
            Error = error,
            Traceback = traceback,
            Warnings = warnings,
            StartedAt = startedAt,
            Duration = duration,
            Metrics = _context.Metrics,
            ServiceChecks = _context.ServiceChecks,
            Events = _context.Events,
            HistogramBuckets = _context.HistogramBuckets,
        };

        // Samples submitted before an error are kept: every run is committed.
        _router.Commit(new CheckRunSummary
        {
            CheckId = Id,
            CheckName = Name,
            Succeeded = error is null,
            Metrics = result.Metrics,
            ServiceChecks = result.ServiceChecks,
            Events = result.Events,
            HistogramBuckets = result.HistogramBuckets,
        });
        return result;
    }

    private string[] ReadWarnings()
    {
        try
        {
            using var list = _getWarnings.CallUnlessEmpty();
            if (list?.ToClr() is List<object?> { Count: > 0 } items)
            {
                return items.Select(w => w?.ToString() ?? string.Empty).ToArray();
            }
        }
        catch (PythonException e)
        {
            return [$"get_warnings() failed: {e.Message}"];
        }
        catch (InvalidCastException e)
        {
            return [$"get_warnings() returned something other than a list of str: {e.Message}"];
        }

        return [];
    }

    /// <summary>AgentCheck.run() returns '' or a JSON list of {"message", "traceback"}.</summary>
    private static (string Error, string? Traceback) ParseRunError(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0)
            {
                var first = document.RootElement[0];
                string message = first.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : text;
                string? traceback = first.TryGetProperty("traceback", out var t) ? t.GetString() : null;
                return (message, traceback);
            }
        }
        catch (JsonException)
        {
            // Not Datadog's format: the text itself is the error.
        }

        return (text, null);
    }
}
