using System.Diagnostics;

namespace PyChecks.Tool.Checks;

/// <summary>
/// Runs a check with a timeout, as the scheduler would: the timeout interrupts its Python code, and a run that has not
/// returned a grace period after the interrupt (timeout or Ctrl+C) is blocked in C, where nothing in-process can stop it.
/// </summary>
internal static class TimedRun
{
    /// <summary>Runs <paramref name="check"/> once; never waits longer than <paramref name="timeout"/> plus <paramref name="grace"/>.</summary>
    public static async Task<RunOutcome> RunAsync(ICheck check, TimeSpan timeout, TimeSpan grace, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        long start = Stopwatch.GetTimestamp();
        var timer = new CancellationTokenSource(timeout);
        var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var giveUp = new CancellationTokenSource(timeout + grace);

        // Ctrl+C interrupts too: the run then has the grace period to return, if that ends sooner than the timeout's.
        using var onCtrlC = cancellationToken.Register(() =>
        {
            if (timeout + grace - Stopwatch.GetElapsedTime(start) > grace)
            {
                giveUp.CancelAfter(grace);
            }
        });

        var run = check.RunAsync(interrupt.Token);
        try
        {
            var result = await run.WaitAsync(giveUp.Token);
            bool timedOut = !result.Succeeded && timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            return new RunOutcome(result, timeout, timedOut, Stuck: false);
        }
        catch (OperationCanceledException) when (!run.IsCompleted)
        {
            // The call in C may return one day: then the check is released (and its interrupt lands), if the process still runs.
            _ = run.ContinueWith(_ => { interrupt.Dispose(); timer.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var elapsed = Stopwatch.GetElapsedTime(start);
            return new RunOutcome(
                new CheckRunResult
                {
                    CheckId = check.Id,
                    Error = $"the run did not return within its timeout of {Seconds(timeout)} and the {Seconds(grace)} grace period after the interrupt: " +
                        "it is blocked in C code, where the interrupt cannot land",
                    StartedAt = startedAt,
                    Duration = elapsed,
                },
                timeout,
                TimedOut: true,
                Stuck: true);
        }
        finally
        {
            if (run.IsCompleted)
            {
                interrupt.Dispose();
                timer.Dispose();
            }
        }
    }

    /// <summary>A duration the way the command's options give it: <c>1 s</c>, <c>0.5 s</c>.</summary>
    public static string Seconds(TimeSpan duration) => $"{duration.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";
}
