using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The worker processes of a host: <see cref="WorkerProcessOptions.Count"/> slots, each running at most one worker at a
/// time. An instance is assigned to a slot once (the least loaded by measured run time) and stays there; the slot's
/// worker is started on first use and after each loss, with a growing delay, and every instance of the slot is loaded
/// again into the new worker before its next run.
/// </summary>
internal sealed partial class WorkerProcessPool : IDisposable
{
    private readonly Slot[] _slots;
    private readonly ConcurrentDictionary<uint, ProcessCheck> _handles = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _stuckGrace;
    private readonly TimeSpan _shutdownTimeout;
    private WorkerLaunch? _launch;
    private int _nextHandle;
    private long _nextRun;
    private int _disposed;

    public WorkerProcessPool(WorkerProcessOptions options, WorkerSettings settings, SubmissionRouter router, ILoggerFactory loggerFactory, TimeSpan stuckGrace, TimeSpan shutdownTimeout, Meter? meter = null)
    {
        Options = options;
        Settings = settings;
        Router = router;
        LoggerFactory = loggerFactory;
        Log = new WorkerLog(loggerFactory.CreateLogger("PyChecks.WorkerProcesses"));
        _stuckGrace = stuckGrace;
        _shutdownTimeout = shutdownTimeout;
        _slots = [.. Enumerable.Range(0, options.Count).Select(static i => new Slot(i))];
        Folder = CreateFolder();
        meter?.CreateObservableGauge(PyChecksTelemetry.WorkerProcessMemory, MemoryReadings, "By", "Resident memory of each worker process");
        meter?.CreateObservableCounter(PyChecksTelemetry.WorkerProcessRestarts, RestartReadings, "{restart}", "Worker processes that ended and were started again");
    }

    private IEnumerable<Measurement<long>> MemoryReadings()
    {
        foreach (var slot in _slots)
        {
            if (slot.Current is { IsAlive: true } worker)
            {
                yield return new Measurement<long>(worker.ResidentBytes(), new KeyValuePair<string, object?>("slot", slot.Index));
            }
        }
    }

    private IEnumerable<Measurement<long>> RestartReadings() =>
        _slots.Select(static s => new Measurement<long>(s.Restarts, new KeyValuePair<string, object?>("slot", s.Index)));

    // Owner-only (0700); in /dev/shm where there is one, since the journals are memory that must outlive a process.
    private static string CreateFolder()
    {
        const string shm = "/dev/shm";
        if (!OperatingSystem.IsWindows() && Directory.Exists(shm))
        {
            try
            {
                string path = Path.Combine(shm, $"pychecks-workers-{Guid.NewGuid():N}");
                return Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fall back to the temporary folder.
            }
        }

        return Directory.CreateTempSubdirectory("pychecks-workers-").FullName;
    }

    public WorkerProcessOptions Options { get; }

    public WorkerSettings Settings { get; }

    public SubmissionRouter Router { get; }

    public ILoggerFactory LoggerFactory { get; }

    public WorkerLog Log { get; }

    /// <summary>The owner-only folder (0700) of the sockets and the workers' runtime configuration.</summary>
    public string Folder { get; }

    public WorkerLaunch Launch => _launch ??= WorkerLaunch.Prepare(Folder);

    public IReadOnlyList<Slot> Slots => _slots;

    public ulong NextRunId() => (ulong)Interlocked.Increment(ref _nextRun);

    public ProcessCheck? Find(uint handle) => _handles.GetValueOrDefault(handle);

    /// <summary>
    /// The slot whose worker runs the instances with the id <paramref name="checkId"/> (all of them: see
    /// <see cref="TryLoad"/>), or <see langword="null"/> when no instance in this pool has it.
    /// </summary>
    public Slot? SlotOf(string checkId)
    {
        foreach (var check in _handles.Values)
        {
            if (string.Equals(check.Id, checkId, StringComparison.Ordinal))
            {
                return check.Slot;
            }
        }

        return null;
    }

    /// <summary>The names of the checks whose file changed since their worker loaded them.</summary>
    public IReadOnlySet<string> ChangedCheckNames() =>
        _handles.Values.Where(static c => c.SourceChanged()).Select(static c => c.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The instances loaded into <paramref name="worker"/>.</summary>
    public static List<ProcessCheck> LoadedInto(WorkerProcess worker)
    {
        lock (worker.Slot)
        {
            return [.. worker.Slot.Checks.Where(c => c.LoadedGeneration == worker.Generation)];
        }
    }

    /// <summary>Loads <paramref name="config"/> into a worker (started if needed) and returns its instance, or why not.</summary>
    public bool TryLoad(CheckInstanceConfig config, out ProcessCheck? check, out string? reason)
    {
        check = null;
        var slot = Assign(config.CheckId);
        uint handle = (uint)Interlocked.Increment(ref _nextHandle);
        WorkerProcess worker;
        LoadAnswer answer;
        try
        {
            using var deadline = new CancellationTokenSource(Options.StartTimeout * 2);
            worker = WorkerAsync(slot, deadline.Token).GetAwaiter().GetResult();
            answer = worker.LoadAsync(handle, config, deadline.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            reason = $"its worker process did not start and load it within {(Options.StartTimeout * 2).TotalSeconds:0.#} s";
            return false;
        }
        catch (WorkerStartException e)
        {
            reason = $"its worker process could not be started: {e.Message}";
            return false;
        }
        catch (ArgumentException e)
        {
            reason = e.Message;
            return false;
        }

        if (answer.Identity is not { } identity)
        {
            reason = string.Join("\n", answer.Errors.Select(static e => $"[{e.Loader}] {e.Error}"));
            return false;
        }

        check = new ProcessCheck(this, Router, config, handle, slot, identity) { LoadedGeneration = worker.Generation };
        _handles[handle] = check;
        lock (slot)
        {
            slot.Checks.Add(check);
        }

        reason = null;
        return true;
    }

    /// <summary>The live worker of <paramref name="slot"/>, started (after its restart delay) when there is none.</summary>
    public Task<WorkerProcess> WorkerAsync(Slot slot, CancellationToken cancellationToken)
    {
        Task<WorkerProcess> starting;
        lock (slot)
        {
            if (slot.Current is { IsAlive: true } current)
            {
                return Task.FromResult(current);
            }

            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            starting = slot.Starting ??= StartAsync(slot);
        }

        return starting.WaitAsync(cancellationToken);
    }

    private async Task<WorkerProcess> StartAsync(Slot slot)
    {
        await Task.Yield();
        var delay = slot.NextStart - DateTimeOffset.UtcNow;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
        }

        int generation = Interlocked.Increment(ref slot.Generation);
        long started = Stopwatch.GetTimestamp();
        try
        {
            var worker = await WorkerProcess.StartAsync(this, slot, generation, _stopping.Token).ConfigureAwait(false);
            lock (slot)
            {
                slot.Current = worker;
                slot.Starting = null;
            }

            Log.Started(slot.Index, worker.Pid, worker.PythonVersion, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return worker;
        }
        catch (Exception e)
        {
            TimeSpan retry;
            lock (slot)
            {
                slot.Starting = null;
                slot.Failures++;
                retry = Backoff(slot.Failures);
                slot.NextStart = DateTimeOffset.UtcNow + retry;
            }

            if (Volatile.Read(ref _disposed) == 0)
            {
                Log.StartFailed(slot.Index, e.Message, retry.TotalSeconds);
            }

            throw e as WorkerStartException ?? new WorkerStartException(e.Message, e);
        }
    }

    /// <summary>A worker ended (after failing its runs): the slot restarts it after a delay that grows with repeated losses.</summary>
    public void Ended(WorkerProcess worker, string how)
    {
        var slot = worker.Slot;
        TimeSpan restart;
        bool hasChecks;
        lock (slot)
        {
            if (ReferenceEquals(slot.Current, worker))
            {
                slot.Current = null;
            }

            slot.Restarts++;
            slot.LastExit = how;
            slot.Failures = DateTimeOffset.UtcNow - worker.StartedAt > TimeSpan.FromMinutes(1) ? 1 : slot.Failures + 1;
            restart = Backoff(slot.Failures);
            slot.NextStart = DateTimeOffset.UtcNow + restart;
            hasChecks = slot.Checks.Count > 0;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Log.Ended(slot.Index, worker.Pid, how, restart.TotalSeconds);
        if (hasChecks)
        {
            // Started ahead of the next run, so that the restart's cost does not fall on it; failures are logged there.
            _ = WorkerAsync(slot, CancellationToken.None).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Each slot as the status shows it.</summary>
    public IReadOnlyList<WorkerProcessStatus> Statuses()
    {
        var statuses = new List<WorkerProcessStatus>(_slots.Length);
        foreach (var slot in _slots)
        {
            WorkerProcess? worker;
            int checks;
            lock (slot)
            {
                worker = slot.Current is { IsAlive: true } live ? live : null;
                checks = slot.Checks.Count;
            }

            statuses.Add(new WorkerProcessStatus
            {
                Slot = slot.Index,
                ProcessId = worker?.Pid,
                PythonVersion = worker?.PythonVersion,
                StartedAt = worker?.StartedAt,
                Checks = checks,
                Runs = Interlocked.Read(ref slot.Runs),
                Restarts = slot.Restarts,
                ResidentBytes = worker?.ResidentBytes(),
                LastExit = slot.LastExit,
            });
        }

        return statuses;
    }

    private TimeSpan Backoff(int failures)
    {
        double seconds = 0.25 * Math.Pow(2, Math.Min(failures, 20) - 1);
        return TimeSpan.FromSeconds(Math.Min(seconds, Options.MaxRestartDelay.TotalSeconds));
    }

    /// <summary>Forgets a disposed instance, and unloads it from its worker.</summary>
    public void Remove(ProcessCheck check)
    {
        _handles.TryRemove(check.Handle, out _);
        WorkerProcess? worker;
        lock (check.Slot)
        {
            check.Slot.Checks.Remove(check);
            worker = check.Slot.Current;
        }

        if (worker is { IsAlive: true } && worker.Generation == check.LoadedGeneration)
        {
            worker.Unload(check.Handle);
            File.Delete(SubmissionJournal.PathOf(Folder, worker.Pid, check.Handle));
        }
    }

    /// <summary>Writes a record a worker forwarded with the host's logger of its category.</summary>
    public static void LogForwarded(ILogger logger, LogLevel level, EventId eventId, string message, string? exception, int pid)
    {
        if (logger.IsEnabled(level))
        {
            logger.Log(level, eventId, exception is null ? message : $"{message}\n{exception}", null, static (text, _) => text);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        var stops = new List<Task>();
        foreach (var slot in _slots)
        {
            WorkerProcess? worker;
            lock (slot)
            {
                worker = slot.Current;
            }

            if (worker is { IsAlive: true })
            {
                stops.Add(worker.StopAsync(_shutdownTimeout));
            }
        }

        try
        {
            Task.WaitAll([.. stops], _shutdownTimeout + TimeSpan.FromSeconds(6));
        }
        catch (AggregateException)
        {
            // A worker that would not stop was killed; its loss was logged.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }

        _stopping.Dispose();
    }

    private Slot Assign(string checkId)
    {
        // Instances of one id (a run-once's fresh instance, a reload's replacement) go where that id already runs: a
        // profile task of the id is sampled in that worker, as it would be by id in process.
        foreach (var slot in _slots)
        {
            lock (slot)
            {
                if (slot.Checks.Exists(c => string.Equals(c.Id, checkId, StringComparison.Ordinal)))
                {
                    return slot;
                }
            }
        }

        var best = _slots[0];
        (double Load, int Count) bestLoad = (double.MaxValue, int.MaxValue);
        foreach (var slot in _slots)
        {
            lock (slot)
            {
                var load = (slot.Checks.Sum(static c => c.Interval > TimeSpan.Zero ? c.MeanRunSeconds / c.Interval.TotalSeconds : 0), slot.Checks.Count);
                if (load.Item1 < bestLoad.Load || (load.Item1 == bestLoad.Load && load.Count < bestLoad.Count))
                {
                    best = slot;
                    bestLoad = load;
                }
            }
        }

        return best;
    }

    /// <summary>One place for a worker process: its current worker, how it starts, and the instances assigned to it.</summary>
    internal sealed class Slot(int index)
    {
        public int Generation;

        public int Index => index;

        public WorkerProcess? Current { get; set; }

        public Task<WorkerProcess>? Starting { get; set; }

        public int Failures { get; set; }

        public int Restarts { get; set; }

        public DateTimeOffset NextStart { get; set; }

        public List<ProcessCheck> Checks { get; } = [];

        public long Runs;

        public string? LastExit { get; set; }
    }
}
