namespace PyChecks.Workers;

/// <summary>Stand-in workers: started for workers stuck in a run, retired once the stuck work returns.</summary>
internal sealed partial class PythonWorkerPool
{
    /// <summary>Threads started beyond the configured count to stand in for workers stuck in a run.</summary>
    public int CompensatingWorkers => Volatile.Read(ref _compensating);

    /// <summary>
    /// Times a stand-in was refused because the limit was reached: one per episode, from the first refusal until a
    /// stand-in is released.
    /// </summary>
    public long StandInLimitEpisodes => Interlocked.Read(ref _limitEpisodes);

    /// <summary>
    /// Starts one more worker to stand in for one that is stuck in work that cannot be interrupted (blocked
    /// in C), so that other work keeps flowing. Pair with <see cref="ReleaseCompensatingWorker"/> once the
    /// stuck work has returned.
    /// </summary>
    /// <param name="limit">The most stand-ins alive at once.</param>
    /// <param name="limitReached">
    /// Set when this call is the first refused at <paramref name="limit"/> since a stand-in was last released: the
    /// start of an episode at the limit, to report once.
    /// </param>
    /// <returns>Whether a worker was started (false at <paramref name="limit"/> or once stopping).</returns>
    public bool AddCompensatingWorker(int limit, out bool limitReached)
    {
        limitReached = false;
        int current;
        do
        {
            current = Volatile.Read(ref _compensating);
            if (IsDrained())
            {
                return false;
            }

            if (current >= limit)
            {
                if (Interlocked.Exchange(ref _atLimit, 1) == 0)
                {
                    Interlocked.Increment(ref _limitEpisodes);
                    limitReached = true;
                }

                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _compensating, current + 1, current) != current);

        StartThread();
        return true;
    }

    /// <summary>The stuck work has returned: one worker retires after its current item, back to the configured count.</summary>
    public void ReleaseCompensatingWorker()
    {
        Volatile.Write(ref _atLimit, 0);
        Interlocked.Decrement(ref _compensating);
        Interlocked.Increment(ref _toRetire);
    }

    /// <summary>Takes one of the retirements <see cref="ReleaseCompensatingWorker"/> asked for, if any: the calling worker then ends.</summary>
    private bool TryRetire()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _toRetire);
            if (current <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _toRetire, current - 1, current) != current);

        return true;
    }
}
