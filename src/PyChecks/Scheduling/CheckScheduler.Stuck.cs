using PyChecks.Checks;
using PyChecks.Checks.Isolation;

namespace PyChecks.Scheduling;

/// <summary>Runs that overstay their timeout: diagnosed when they can be, reported stuck, and given a stand-in worker.</summary>
internal sealed partial class CheckScheduler
{
    private void OnStuck(RunState run)
    {
        // A run in a worker process is never left behind: its worker is killed at this moment, which ends the run.
        if (run.Check.Check is ProcessCheck)
        {
            return;
        }

        // A Python run may only be waiting for the GIL (held by other threads): not stuck, and a stand-in would wait too.
        if (run.Check.Check is IWorkerCheck worker && !_stopping)
        {
            worker.DiagnoseOverrun(_options.StuckRunGrace, static (verdict, state) => ((RunState)state!).Diagnosed(verdict), run);
            return;
        }

        MarkStuck(run, "blocked in C code, which cannot be interrupted");
    }

    private void Diagnosed(RunState run, OverrunDiagnosis verdict)
    {
        if (verdict.Cause == OverrunCause.InC)
        {
            MarkStuck(run, verdict.Detail);
        }
        else if (run.WatchAgain() is true)
        {
            Log.RunWaitingForGil(_logger, run.Check.Check.Id, run.Check.Timeout, verdict.Detail);
        }
    }

    private void MarkStuck(RunState run, string cause)
    {
        bool limitReached = false;
        if (run.BeginStuck(() => !_stopping && _host.Runtime.Workers.AddCompensatingWorker(_options.MaxStandInWorkers, out limitReached)) is not bool started)
        {
            return;
        }

        var check = run.Check;
        check.Status.Stuck(started);
        _telemetry.Stuck(check.Check);
        if (limitReached)
        {
            _telemetry.StandInLimitReached();
            Log.StandInLimitReached(_logger, _options.MaxStandInWorkers, check.Check.Id);
        }

        Log.RunStuck(_logger, check.Check.Id, _time.GetElapsedTime(run.DispatchTimestamp), cause, StandInMessage(started));
    }

    /// <summary>What a stuck run's log says about its stand-in worker.</summary>
    private string StandInMessage(bool started) => started
        ? "a stand-in worker was started so that other checks keep running"
        : $"no stand-in worker was started (limit of {_options.MaxStandInWorkers} reached, or stopping); other checks share the remaining workers";
}
