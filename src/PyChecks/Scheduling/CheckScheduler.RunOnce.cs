using System.Collections.Concurrent;
using PyChecks.Checks;

namespace PyChecks.Scheduling;

/// <summary>
/// Run-once (<see cref="ICheckScheduler.RunOnceAsync"/>): fresh instances run outside the schedule, each waited for at
/// most its timeout plus the grace period, and refused at once while a run of the same check is stuck in C.
/// </summary>
internal sealed partial class CheckScheduler
{
    // Run-once runs left stuck in C, by instance, with their check's name: a run-once of that check is refused until they return.
    private readonly ConcurrentDictionary<ICheck, string> _stuckRunOnce = new();

    public async Task<CheckRunReport?> RunOnceAsync(string checkName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkName);
        var (instances, _) = _host.ReadConfiguredInstances(checkName);
        var configured = instances.Where(i => string.Equals(i.CheckName, checkName, StringComparison.Ordinal)).ToList();
        if (configured.Count == 0)
        {
            return null;
        }

        // A fresh instance of a check stuck in C would most likely block the same way, on one more worker: refuse at once.
        if (StuckRunsOf(checkName) is { Count: > 0 } stuck)
        {
            throw new CheckStuckException(checkName, stuck);
        }

        var runs = new List<CheckInstanceRun>();
        var errors = new List<string>();
        foreach (var config in configured)
        {
            ICheck check;
            try
            {
                check = _host.Load(config);
            }
            catch (CheckLoadException e)
            {
                errors.Add(e.Message);
                continue;
            }

            using (check)
            {
                var capture = new InMemorySender();
                (check as ICapturingCheck)?.CaptureTo(capture);
                var timeout = config.RunTimeout ?? _options.RunTimeout ?? check.Interval;
                var (result, stuckRun) = await RunOnceBoundedAsync(check, timeout, cancellationToken).ConfigureAwait(false);
                runs.Add(new CheckInstanceRun(check.Id, result, capture.Metrics, capture.ServiceChecks, capture.Events, capture.HistogramBuckets) { Stuck = stuckRun });
            }
        }

        return new CheckRunReport(checkName, runs, errors);
    }

    /// <summary>
    /// Runs <paramref name="check"/> with <paramref name="timeout"/>, waiting at most the timeout plus the grace period:
    /// a run still in progress then is blocked in C, and is left behind (stuck) so that the caller gets its answer.
    /// </summary>
    private async Task<(CheckRunResult Result, bool Stuck)> RunOnceBoundedAsync(ICheck check, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        var timer = new CancellationTokenSource(timeout, _time);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var run = check.RunAsync(cancel.Token);
        try
        {
            return (await run.WaitAsync(timeout + _options.StuckRunGrace, _time, CancellationToken.None).ConfigureAwait(false), false);
        }
        catch (TimeoutException)
        {
            bool limitReached = false;
            bool standIn = !_stopping && _host.Runtime.Workers.AddCompensatingWorker(_options.MaxStandInWorkers, out limitReached);
            var elapsed = _time.GetElapsedTime(started);
            _stuckRunOnce[check] = check.Name;
            _telemetry.Stuck(check);
            if (limitReached)
            {
                _telemetry.StandInLimitReached();
                Log.StandInLimitReached(_logger, _options.MaxStandInWorkers, check.Id);
            }

            Log.RunStuck(_logger, check.Id, elapsed, "it did not return to Python after its timeout's interrupt", StandInMessage(standIn) + "; this run-once answers now and its run is left behind");
            _ = run.ContinueWith(
                _ =>
                {
                    _stuckRunOnce.TryRemove(check, out string? _);
                    if (standIn)
                    {
                        _host.Runtime.Workers.ReleaseCompensatingWorker();
                    }

                    Log.RunUnstuck(_logger, check.Id);
                    cancel.Dispose();
                    timer.Dispose();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return (new CheckRunResult
            {
                CheckId = check.Id,
                Error = $"the run did not return within its timeout of {timeout:g} and the grace period of {_options.StuckRunGrace:g} after the interrupt: " +
                    "it is stuck in C code, where the interrupt cannot land. It was left running (what it submits from now on is discarded), " +
                    "and a run-once of this check is refused until it returns.",
                StartedAt = startedAt,
                Duration = elapsed,
            }, true);
        }
        catch (OperationCanceledException) when (run.IsCanceled && !cancellationToken.IsCancellationRequested)
        {
            return (new CheckRunResult
            {
                CheckId = check.Id,
                Error = $"the run did not start within its timeout of {timeout:g}: every Python worker was busy",
                StartedAt = startedAt,
                Duration = _time.GetElapsedTime(started),
            }, false);
        }
        finally
        {
            if (run.IsCompleted)
            {
                cancel.Dispose();
                timer.Dispose();
            }
        }
    }

    /// <summary>The instances of <paramref name="checkName"/> whose scheduled or run-once runs are stuck.</summary>
    private List<string> StuckRunsOf(string checkName) =>
    [
        .. _checks.Values.Where(c => string.Equals(c.Check.Name, checkName, StringComparison.Ordinal) && c.Current is { IsStuck: true }).Select(static c => c.Check.Id),
        .. _stuckRunOnce.Where(e => string.Equals(e.Value, checkName, StringComparison.Ordinal)).Select(static e => e.Key.Id),
    ];
}
