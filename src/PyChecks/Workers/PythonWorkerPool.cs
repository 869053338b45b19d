using System.Diagnostics;
using PyChecks.Interop;

namespace PyChecks.Workers;

/// <summary>
/// Dedicated threads (not the thread pool) that run Python work, each inside a GIL scope on its own
/// persistent thread state. The outside is <see cref="Task"/>-based; the inside is synchronous, the
/// .NET counterpart of Go's <c>runtime.LockOSThread</c>.
/// </summary>
internal sealed partial class PythonWorkerPool
{
    // Waiting workers block in Monitor.Wait (each on a signal of its own, set outside the queue's lock), which sleeps at
    // once: a synchronous wait on a task (or a channel) spins and yields the CPU first, which cost more than the runs
    // themselves when runs come a few at a time.
    private readonly Queue<PythonWorkItem> _queue = new();
    private readonly object _queueGate = new();

    // Items queued without a wake (TryQueue), moved to the queue together by WakeForQueued: the producer takes the
    // queue's lock once per batch instead of once per item, so it no longer contends with a worker taking items
    // meanwhile (each contention cost both threads a futex call and often a context switch). Lock order: _queueGate,
    // then _stagedGate.
    private List<PythonWorkItem> _staged = [];
    private List<PythonWorkItem> _flushing = [];
    private readonly Lock _stagedGate = new();
    private int _waiting; // workers in _idle: asleep, or about to sleep, and not woken
    private readonly Stack<WorkerSignal> _idle = new(); // last in, first woken: the worker that ran last has warm caches
    private int _alive; // worker threads started and not ended; those not waiting are awake, and take items before they wait
    private long _taken; // items taken by workers, ever
    private long _takenAtLastWake; // _taken at the last WakeForQueued
    private int _queuedAtLastWake; // _queue.Count at the last WakeForQueued
    private long _lastWakeAt; // the timestamp of that call
    private bool _lastBehind; // whether that call found items of the call before it still queued
    private bool _completed;
    private int _queuedCount; // _queue.Count, written under the lock, read without it by a watching worker
    private readonly List<Thread> _threads = [];
    private readonly Lock _threadsLock = new();
    private int _compensating;
    private int _toRetire;
    private int _atLimit;
    private long _limitEpisodes;

    /// <summary>How long a worker watches the queue after an item a host thread waits for: 50 µs.</summary>
    private static readonly long WatchTicks = Stopwatch.Frequency / 20_000;

    /// <summary>How long the workers get to take a batch (<see cref="WakeForQueued"/>) before items still queued count as a backlog: 1 ms.</summary>
    private static readonly long BehindAfter = Stopwatch.Frequency / 1000;

    // The watches in use, each adapted to how it fares: doubled (up to WatchTicks) when it sees what it waits for, halved
    // when it does not (down to none), and tried in full again once in 64 times while at none. On a machine whose cores are all
    // busy, neither side is likely to run while the other watches, and the watch would only burn the time it lasts.
    private long _callerWatch = WatchTicks;
    private long _workerWatch = WatchTicks;
    private int _callerProbes;
    private int _watching; // workers watching the queue (WatchForWork), which take a posted item without being woken
    private int _workerProbes;

    [ThreadStatic]
    private static bool t_isWorker;

    public PythonWorkerPool(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (int i = 0; i < count; i++)
        {
            StartThread();
        }
    }

    /// <summary>Workers waiting for work, not yet woken.</summary>
    public int IdleWorkers
    {
        get
        {
            lock (_queueGate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a worker thread with the GIL held.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        // Already on a worker (a scheduler or a check running checks): run inline, no thread hop.
        if (t_isWorker)
        {
            return RunHere(work);
        }

        var item = new WorkItem<T>(work, cancellationToken);
        if (!TryPost(item))
        {
            return Task.FromException<T>(new PythonRuntimeException("The Python runtime is shutting down and accepts no more work."));
        }

        // Short work (a check run takes microseconds) is usually done within the watch: the caller then gets a completed
        // task and no thread sleeps and wakes through the kernel on either side. Longer work costs the caller the watch.
        var task = item.Task;
        long watch = WatchFor(ref _callerWatch, ref _callerProbes);
        if (watch > 0)
        {
            long until = Stopwatch.GetTimestamp() + watch;
            while (!task.IsCompleted && Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(16);
            }

            Adapt(ref _callerWatch, watch, task.IsCompleted);
        }

        return task;
    }

    /// <summary>Runs <paramref name="work"/> on the calling thread, in a GIL scope: a completed task, with its result or its exception.</summary>
    public static Task<T> RunHere<T>(Func<T> work)
    {
        try
        {
            using (ThreadGil.EnterMeasured())
            {
                return Task.FromResult(work());
            }
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>
    /// Queues <paramref name="item"/> for a worker, which runs it outside any GIL scope (the item takes one if it
    /// needs it): the way to run work and its completion on the worker, without a hop to the thread pool. Wakes a
    /// waiting worker for it.
    /// </summary>
    /// <returns>Whether it was queued (false once stopping).</returns>
    public bool TryPost(PythonWorkItem item) => Enqueue(item, wake: true);

    /// <summary>
    /// Queues <paramref name="item"/> like <see cref="TryPost"/> without waking a worker: for a batch of items, queued
    /// one after the other, then handed to one worker by <see cref="WakeForQueued"/>. The items become visible to the
    /// workers at that call (or at <see cref="Stop"/>, which lets them finish).
    /// </summary>
    /// <returns>Whether it was queued (false once stopping).</returns>
    public bool TryQueue(PythonWorkItem item)
    {
        lock (_stagedGate)
        {
            if (_completed)
            {
                return false;
            }

            _staged.Add(item);
        }

        return true;
    }

    /// <summary>
    /// Moves the items of <see cref="TryQueue"/> to the queue and wakes one waiting worker for them, unless a worker is
    /// already awake or on its way and keeping up: one worker takes a batch item after item, with the GIL passing
    /// between no threads (two workers awake at once on short items hand the GIL to each other at every item, each
    /// hand-off a futex call and often a context switch). Another worker is woken when items queued at an earlier call,
    /// at least a millisecond before, are still queued: the workers awake are slow, or blocked. Call again later to
    /// bring one in that way.
    /// </summary>
    /// <returns>Whether items are still queued and another waiting worker could take them.</returns>
    /// <param name="behind">
    /// Set when items queued at that earlier call were still queued at this one; for a call less than a millisecond
    /// after the last one judged, that call's verdict.
    /// </param>
    public bool WakeForQueued(out bool behind)
    {
        WorkerSignal? woken = null;
        bool backlog;
        lock (_queueGate)
        {
            MoveStaged();
            int queued = _queue.Count;
            long now = Stopwatch.GetTimestamp();

            // Judged only against a call at least BehindAfter ago: a call at once after another (a scheduler pass that
            // began as the last ended) would find the items of that call still queued only because no worker had time
            // to take them yet, and a second worker woken for them would only pass the GIL back and forth with the first.
            // Such a call reports the verdict of the last judged one (the caller's patience follows it) and wakes no
            // worker for it.
            bool found = false;
            if (now - _lastWakeAt >= BehindAfter || queued == 0)
            {
                long left = _queuedAtLastWake - (_taken - _takenAtLastWake); // the queue is first in, first out
                found = _lastBehind = left > 0;
                _takenAtLastWake = _taken;
                _queuedAtLastWake = queued;
                _lastWakeAt = now;
            }

            behind = _lastBehind;
            if (queued == 0)
            {
                return false;
            }

            if (found || Volatile.Read(ref _alive) - _waiting <= 0)
            {
                woken = WakeOne();
            }

            backlog = _waiting > 0;
        }

        woken?.Set();
        return backlog;
    }

    private bool Enqueue(PythonWorkItem item, bool wake)
    {
        WorkerSignal? woken = null;
        lock (_queueGate)
        {
            if (_completed)
            {
                return false;
            }

            _queue.Enqueue(item);
            Volatile.Write(ref _queuedCount, _queue.Count);

            // A worker watching the queue takes the item: waking a sleeping one too would cost a kernel wake-up for
            // nothing (it would find the queue empty, or take the item from the watcher and the GIL with it). The fence
            // orders the item before the read; the watcher orders its leaving before its last look at the queue.
            Interlocked.MemoryBarrier();
            if (wake && Volatile.Read(ref _watching) == 0)
            {
                woken = WakeOne();
            }
        }

        woken?.Set();
        return true;
    }

    /// <summary>Moves the items of <see cref="TryQueue"/> to the queue, in their order. Holds the queue's lock.</summary>
    private void MoveStaged()
    {
        List<PythonWorkItem> staged;
        lock (_stagedGate)
        {
            if (_staged.Count == 0)
            {
                return;
            }

            // Swapped, not copied under the staging lock: the producer goes on staging into the other list meanwhile.
            staged = _staged;
            _staged = _flushing;
        }

        foreach (var item in staged)
        {
            _queue.Enqueue(item);
        }

        staged.Clear();
        _flushing = staged;
        Volatile.Write(ref _queuedCount, _queue.Count);
    }

    /// <summary>
    /// Takes one waiting worker off the idle list, to be woken by setting the returned signal once the queue's lock is
    /// released (woken inside it, the worker would wake only to wait for the lock, a second kernel wake-up). Holds the
    /// queue's lock.
    /// </summary>
    private WorkerSignal? WakeOne()
    {
        if (!_idle.TryPop(out var signal))
        {
            return null;
        }

        _waiting--;
        return signal;
    }

    /// <summary>Stops taking work, lets queued items finish, and waits for the threads to end.</summary>
    /// <returns>Whether every thread ended within <paramref name="timeout"/>.</returns>
    public bool Stop(TimeSpan timeout)
    {
        WorkerSignal[] woken;
        lock (_queueGate)
        {
            lock (_stagedGate)
            {
                // Staged items are queued work like any other: they finish before the workers end.
                _completed = true;
            }

            MoveStaged();
            woken = [.. _idle];
            _idle.Clear();
            _waiting = 0;
        }

        foreach (var signal in woken)
        {
            signal.Set();
        }

        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        Thread[] threads;
        lock (_threadsLock)
        {
            threads = [.. _threads];
        }

        foreach (var thread in threads)
        {
            if (!thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64))))
            {
                return false;
            }
        }

        return true;
    }

    private void StartThread()
    {
        lock (_threadsLock)
        {
            _threads.RemoveAll(static t => !t.IsAlive);
            Interlocked.Increment(ref _alive);
            var thread = new Thread(Work) { IsBackground = true, Name = $"PyChecks worker {_threads.Count + 1}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>Whether the pool stopped taking work and every queued item has been taken.</summary>
    private bool IsDrained()
    {
        lock (_queueGate)
        {
            return _completed && _queue.Count == 0;
        }
    }

    private void Work()
    {
        t_isWorker = true;
        try
        {
            bool callerWaits = false;
            var signal = new WorkerSignal();
            while ((callerWaits ? WatchForWork() : true) && Take(signal) is { } item)
            {
                item.Execute();
                callerWaits = item.CallerWaits;
                if (Volatile.Read(ref _toRetire) > 0 && TryRetire())
                {
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _alive);
        }
    }

    /// <summary>The next queued item, waiting for one on <paramref name="signal"/>; <see langword="null"/> once stopped and drained.</summary>
    private PythonWorkItem? Take(WorkerSignal signal)
    {
        while (true)
        {
            lock (_queueGate)
            {
                if (_queue.TryDequeue(out var item))
                {
                    Volatile.Write(ref _queuedCount, _queue.Count);
                    _taken++;
                    return item;
                }

                if (_completed)
                {
                    return null;
                }

                _idle.Push(signal);
                _waiting++;
            }

            signal.Wait();
        }
    }

    private sealed class WorkItem<T> : PythonWorkItem
    {
        private readonly Func<T> _work;
        private readonly CancellationToken _cancellationToken;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public WorkItem(Func<T> work, CancellationToken cancellationToken)
        {
            _work = work;
            _cancellationToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.Register(
                    static state => ((WorkItem<T>)state!)._completion.TrySetCanceled(((WorkItem<T>)state!)._cancellationToken), this);
            }
        }

        public Task<T> Task => _completion.Task;

        public override bool CallerWaits => true;

        public override void Execute()
        {
            _registration.Dispose();

            // Cancelled while queued: the work never starts. Once started, it runs to the end.
            if (_completion.Task.IsCompleted || _cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(_cancellationToken);
                return;
            }

            try
            {
                T result;
                using (ThreadGil.EnterMeasured())
                {
                    result = _work();
                }

                _completion.TrySetResult(result);
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }
    }
}
