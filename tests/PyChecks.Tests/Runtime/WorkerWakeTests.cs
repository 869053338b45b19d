using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;
using PyChecks.Workers;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// How the worker pool wakes workers for a batch of queued items (the scheduler's path): one worker for a batch, and a
/// second only once the items have waited a millisecond behind a worker that does not take them. Plain items on the
/// pool's real threads; no Python involved.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerWakeTests
{
    [Test]
    public void ItemsStillQueuedAMillisecondLater_BehindABlockedWorker_WakeASecondWorker()
    {
        var pool = new PythonWorkerPool(2);
        using var gate = new ManualResetEventSlim();
        try
        {
            Eventually.That(() => pool.IdleWorkers == 2, "both workers wait for work");
            var blocking = new Item(gate);
            var behind = new Item(null);
            Assert.That(pool.TryQueue(blocking) && pool.TryQueue(behind), Is.True);

            pool.WakeForQueued(out bool first);
            Assert.That(first, Is.False, "nothing was queued before");
            Assert.That(blocking.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "one worker took the first item");

            Thread.Sleep(5);
            pool.WakeForQueued(out bool later);
            Assert.That(later, Is.True, "the second item waited 5 ms behind a worker that did not take it");
            Assert.That(behind.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "the other worker, woken for it, took it");
            Assert.That(behind.ThreadId, Is.Not.EqualTo(blocking.ThreadId));
        }
        finally
        {
            gate.Set();
            Assert.That(pool.Stop(TimeSpan.FromSeconds(10)), Is.True);
        }
    }

    [Test]
    public void ABatchQueuedAtOnceAfterAnother_IsNotCountedBehind_AndWakesNoSecondWorker()
    {
        // The two calls must come within a millisecond of each other; there, waking the second worker would be right.
        PromptAttempts((pool, gate) =>
        {
            var blocking = new Item(gate);
            var queued = new Item(null);
            Assert.That(pool.TryQueue(blocking) && pool.TryQueue(queued), Is.True);
            var watch = Stopwatch.StartNew();
            pool.WakeForQueued(out _);
            Assert.That(pool.TryQueue(new Item(null)), Is.True);
            pool.WakeForQueued(out bool behind);
            watch.Stop();
            if (watch.Elapsed >= Prompt)
            {
                return false;
            }

            Assert.That(behind, Is.False, $"the second call came {watch.Elapsed.TotalMicroseconds:F0} µs after the first");
            Assert.That(blocking.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "one worker took the first item");
            Thread.Sleep(20);
            Assert.That(queued.Started.IsSet, Is.False, "no second worker was woken: the other items wait behind the first");
            Assert.That(pool.IdleWorkers, Is.EqualTo(1));
            return true;
        });
    }

    [Test]
    public void ACallAtOnceAfterALookThatFoundABacklog_ReportsThatBacklog()
    {
        // The third call must come within a millisecond of the second; later, it is judged on its own.
        PromptAttempts((pool, gate) =>
        {
            var blocking = new Item(gate);
            var waited = new Item(gate);
            Assert.That(pool.TryQueue(blocking) && pool.TryQueue(waited), Is.True);
            pool.WakeForQueued(out _);
            Assert.That(blocking.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "one worker took the first item");
            Thread.Sleep(5);

            var watch = Stopwatch.StartNew();
            pool.WakeForQueued(out bool second);
            Assert.That(pool.TryQueue(new Item(null)), Is.True);
            pool.WakeForQueued(out bool third);
            watch.Stop();
            Assert.That(second, Is.True, "the second item waited 5 ms behind a worker that did not take it");
            if (watch.Elapsed >= Prompt)
            {
                return false;
            }

            Assert.That(third, Is.True, $"a call {watch.Elapsed.TotalMicroseconds:F0} µs after one that found a backlog reports it");
            Assert.That(waited.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "the other worker, woken at the second call, took the second item");
            return true;
        });
    }

    // Two calls closer than this count as back to back (the pool's threshold is a millisecond).
    private static readonly TimeSpan Prompt = TimeSpan.FromMilliseconds(0.9);

    /// <summary>
    /// Runs <paramref name="attempt"/> on fresh two-worker pools, both workers idle, the gate released and the pool
    /// stopped after each, until three attempts count. An attempt returns false when the machine delayed this thread past
    /// <see cref="Prompt"/> between its calls, which then say nothing; inconclusive when none counted.
    /// </summary>
    private static void PromptAttempts(Func<PythonWorkerPool, ManualResetEventSlim, bool> attempt)
    {
        int counted = 0;
        for (int i = 0; i < 20 && counted < 3; i++)
        {
            var pool = new PythonWorkerPool(2);
            using var gate = new ManualResetEventSlim();
            try
            {
                Eventually.That(() => pool.IdleWorkers == 2, "both workers wait for work");
                counted += attempt(pool, gate) ? 1 : 0;
            }
            finally
            {
                gate.Set();
                Assert.That(pool.Stop(TimeSpan.FromSeconds(10)), Is.True);
            }
        }

        if (counted == 0)
        {
            Assert.Inconclusive("this thread was never scheduled promptly enough to make two calls within a millisecond");
        }
    }

    /// <summary>An item that records its thread and, given a gate, waits for it.</summary>
    private sealed class Item(ManualResetEventSlim? gate) : PythonWorkItem
    {
        public ManualResetEventSlim Started { get; } = new();

        public int ThreadId { get; private set; }

        public override void Execute()
        {
            ThreadId = Environment.CurrentManagedThreadId;
            Started.Set();
            gate?.Wait();
        }
    }
}
