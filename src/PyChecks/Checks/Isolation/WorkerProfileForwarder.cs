using PyChecks.Profiling;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The host profiler's way to the checks in worker processes: a task on such a check is started in the worker that
/// runs the instances of its id (started first if the slot has none), which samples them and sends its data back
/// through <see cref="WorkerProcess"/>. A task stays with that worker: if it ends, the task fails saying how.
/// </summary>
internal sealed class WorkerProfileForwarder(Func<WorkerProcessPool?> workers) : IProfileForwarder
{
    public bool Forwards(string checkId) => workers()?.SlotOf(checkId) is not null;

    public async Task StartAsync(ProfileSession session)
    {
        try
        {
            var pool = workers() ?? throw new WorkerStartException("no worker process runs checks in this host");
            var slot = pool.SlotOf(session.CheckId) ?? throw new WorkerStartException($"check {session.CheckId} is no longer loaded");
            using var deadline = new CancellationTokenSource(pool.Options.StartTimeout * 2);
            var worker = await pool.WorkerAsync(slot, deadline.Token).ConfigureAwait(false);
            worker.StartProfile(session);
            if (!session.IsActive)
            {
                worker.StopProfile(session.Id); // cancelled while it was on its way
            }
        }
        catch (Exception e)
        {
            // Whatever went wrong, the task must not stay pending: StartAsync's caller waits for it.
            session.Fail($"The task could not be started in the check's worker process: {e.Message}");
        }
    }

    public void Stop(ProfileSession session)
    {
        if (workers() is not { } pool)
        {
            return;
        }

        foreach (var slot in pool.Slots)
        {
            WorkerProcess? worker;
            lock (slot)
            {
                worker = slot.Current;
            }

            worker?.StopProfile(session.Id);
        }
    }
}
