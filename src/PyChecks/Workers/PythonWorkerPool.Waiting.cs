using System.Diagnostics;

namespace PyChecks.Workers;

/// <summary>How workers and host threads wait for each other: the adaptive watches, and a worker's own wake-up signal.</summary>
internal sealed partial class PythonWorkerPool
{
    /// <summary>
    /// After an item a host thread waits for: watches the queue for <see cref="WatchTicks"/> before sleeping, since
    /// that thread usually posts its next item at once (a loop of <c>RunAsync</c> calls). A wake-up through the kernel
    /// costs tens of microseconds on a virtual machine, several times a short check run; the watch is bounded, and
    /// scheduled runs never cause one.
    /// </summary>
    /// <returns>Always true: the worker then takes the next item, or waits for one as usual.</returns>
    private bool WatchForWork()
    {
        long watch = WatchFor(ref _workerWatch, ref _workerProbes);
        if (watch == 0)
        {
            return true;
        }

        long until = Stopwatch.GetTimestamp() + watch;
        Interlocked.Increment(ref _watching);
        try
        {
            do
            {
                for (int i = 0; i < 64; i++)
                {
                    if (Volatile.Read(ref _queuedCount) > 0)
                    {
                        Adapt(ref _workerWatch, watch, seen: true);
                        return true;
                    }

                    Thread.SpinWait(8);
                }
            }
            while (Stopwatch.GetTimestamp() < until);
        }
        finally
        {
            // Interlocked, a full fence: Take's look at the queue that follows sees any item queued while this worker
            // still counted as watching (and so was not woken for it).
            Interlocked.Decrement(ref _watching);
        }

        Adapt(ref _workerWatch, watch, seen: false);
        return true;
    }

    /// <summary>The watch to use now: the adapted one, or a full one for every 64th try while it is at none.</summary>
    private static long WatchFor(ref long adapted, ref int probes)
    {
        long watch = Volatile.Read(ref adapted);
        return watch == 0 && (Interlocked.Increment(ref probes) & 63) == 0 ? WatchTicks : watch;
    }

    /// <summary>After a watch of <paramref name="watch"/> ticks: twice as long (at most the full watch) when it saw its event, half when not.</summary>
    private static void Adapt(ref long adapted, long watch, bool seen) =>
        Volatile.Write(ref adapted, seen ? Math.Min(WatchTicks, Math.Max(watch * 2, WatchTicks / 8)) : watch / 2 < WatchTicks / 16 ? 0 : watch / 2);

    /// <summary>
    /// One worker's wake-up: set once by whoever takes the worker off the idle list, consumed by the worker's wait. Its
    /// lock is held only for the flag, so the woken worker does not wait for the waker's lock as it wakes.
    /// </summary>
    private sealed class WorkerSignal
    {
        private readonly object _gate = new();
        private bool _set;

        public void Set()
        {
            lock (_gate)
            {
                _set = true;
                Monitor.Pulse(_gate);
            }
        }

        public void Wait()
        {
            lock (_gate)
            {
                while (!_set)
                {
                    Monitor.Wait(_gate);
                }

                _set = false;
            }
        }
    }
}
