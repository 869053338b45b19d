using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Interop;

using PyChecks.Profiling;

namespace PyChecks;

/// <summary>
/// The <see cref="IProfiler"/>: keeps the tasks and their limits, and runs one sampler thread (an OS thread of its own)
/// while any task is active. Each tick reads the stacks of the runs attached to the due tasks, then records the
/// samples. On CPython 3.12 and 3.13 it reads them without the GIL (<see cref="FrameReader"/>), so the checks never stop
/// for a sample; it takes the GIL, and walks through the C API, on other versions and whenever that read cannot vouch
/// for what it read (a code object not seen yet, a stack that kept moving). The tasks of a check that runs in a worker
/// process are handed to that process (<see cref="IProfileForwarder"/>), which samples them with a profiler of its own
/// and sends back what it sampled: this one only keeps their state and merges their data.
/// </summary>
internal sealed class Profiler : IProfiler, IDisposable
{
    private readonly PythonRuntime _runtime;
    private readonly ProfilerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, bool>? _checkExists;
    private readonly IProfileForwarder? _forwarder;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProfileSession> _sessions = new(StringComparer.Ordinal);
    private readonly Queue<ProfileSession> _ended = new();
    private readonly List<ProfileSession> _toRelease = [];
    private readonly AutoResetEvent _wake = new(false);
    private Thread? _sampler;
    private bool _disposed;
    private FrameReader? _reader = FrameReader.TryCreate();
    private long _ticksUnderGil;
    private long _ticksWithoutGil;
    private long _readTime;

    /// <summary>Creates a profiler for the checks run by <paramref name="runtime"/>.</summary>
    /// <param name="runtime">The interpreter the checks run in.</param>
    /// <param name="options">Limits; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">Measures task durations and timestamps (samples are timed by the monotonic clock); default: the system's.</param>
    /// <param name="logger">Logs task starts and ends.</param>
    public Profiler(PythonRuntime runtime, ProfilerOptions? options = null, TimeProvider? timeProvider = null, ILogger<Profiler>? logger = null)
        : this(runtime, options, timeProvider, logger, checkExists: null)
    {
    }

    internal Profiler(PythonRuntime runtime, ProfilerOptions? options, TimeProvider? timeProvider, ILogger? logger, Func<string, bool>? checkExists, IProfileForwarder? forwarder = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _options = options ?? new ProfilerOptions();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _checkExists = checkExists;
        _forwarder = forwarder;
    }

    /// <summary>Whether the sampler thread is alive (only while a task is active, and briefly after the last one ends).</summary>
    internal bool SamplerRunning
    {
        get
        {
            lock (_lock)
            {
                return _sampler is not null;
            }
        }
    }

    /// <summary>
    /// Whether ticks read the stacks without the GIL (CPython 3.12 and 3.13 on 64-bit Linux; see
    /// <see cref="FrameReader"/>). Off for good once a read disagrees with the walk under the GIL; setting it off
    /// makes every tick take the GIL, as on other versions.
    /// </summary>
    internal bool ReadsWithoutGil
    {
        get => Volatile.Read(ref _reader) is not null;
        set
        {
            if (!value)
            {
                Volatile.Write(ref _reader, null);
            }
        }
    }

    /// <summary>Ticks that took the GIL so far (for benchmarks).</summary>
    internal long TicksUnderGil => Interlocked.Read(ref _ticksUnderGil);

    /// <summary>Ticks that read every due stack without the GIL so far (for benchmarks).</summary>
    internal long TicksWithoutGil => Interlocked.Read(ref _ticksWithoutGil);

    /// <summary>The sampler's time in reads without the GIL so far, in <see cref="Stopwatch"/> ticks, failed ones included (for benchmarks).</summary>
    internal long ReadTime => Interlocked.Read(ref _readTime);

    /// <inheritdoc />
    public async Task<ProfileTask> StartAsync(ProfileRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var valid = request.Validate();
        if (_checkExists is not null && !_checkExists(valid.CheckId))
        {
            throw new ProfileRequestException(ProfileRequestError.UnknownCheck, $"No scheduled check instance has the id '{valid.CheckId}'.", nameof(ProfileRequest.CheckId));
        }

        var forwarder = _forwarder is { } f && f.Forwards(valid.CheckId) ? f : null;
        var session = Admit(valid, NewId(), _options.MaxTaskBytes, forwarder);
        Log.ProfileStarted(_logger, session.Id, valid.CheckId, valid.Duration, valid.Interval);
        if (forwarder is not null)
        {
            _ = forwarder.StartAsync(session);
        }

        using (cancellationToken.UnsafeRegister(static s => ((ProfileSession)s!).End(ProfileTaskState.Cancelled, "Cancelled before it started."), session))
        {
            await session.Started.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return session.Snapshot();
    }

    /// <summary>
    /// Accepts a task, within the limits (one active task per check, <see cref="ProfilerOptions.MaxConcurrentTasks"/>):
    /// sampled by this profiler's thread, or, given a <paramref name="forwarder"/>, in the process that runs its check.
    /// A worker process accepts the tasks its host forwards here, under the host's task id.
    /// </summary>
    /// <exception cref="ProfileRequestException">The check has an active task, or too many tasks are active.</exception>
    internal ProfileSession Admit(ValidRequest valid, string id, long maxBytes, IProfileForwarder? forwarder)
    {
        ProfileSession session;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int active = 0;
            foreach (var other in _sessions.Values)
            {
                if (!other.IsActive)
                {
                    continue;
                }

                active++;
                if (string.Equals(other.CheckId, valid.CheckId, StringComparison.Ordinal))
                {
                    throw new ProfileRequestException(
                        ProfileRequestError.Conflict,
                        $"Check '{valid.CheckId}' already has an active profile task ({other.Id}); cancel it or wait for it to end.",
                        activeTaskId: other.Id);
                }
            }

            if (active >= _options.MaxConcurrentTasks)
            {
                throw new ProfileRequestException(
                    ProfileRequestError.TooManyTasks,
                    $"{active} profile task(s) are already active, the most allowed (ProfilerOptions.MaxConcurrentTasks = {_options.MaxConcurrentTasks}); retry when one ends.");
            }

            session = new ProfileSession(id, valid, _time, maxBytes, () => _wake.Set(), OnEnded, forwarder);
            _sessions.Add(session.Id, session);
            if (forwarder is null && _sampler is null)
            {
                _sampler = new Thread(SamplerLoop) { IsBackground = true, Name = "PyChecks profiler" };
                _sampler.Start();
            }
        }

        if (forwarder is null)
        {
            _wake.Set();
        }

        return session;
    }

    /// <inheritdoc />
    public ProfileTask? GetTask(string taskId) => Find(taskId)?.Snapshot();

    /// <inheritdoc />
    public IReadOnlyList<ProfileTask> ListTasks()
    {
        ProfileSession[] sessions;
        lock (_lock)
        {
            sessions = [.. _sessions.Values];
        }

        return [.. sessions.OrderByDescending(s => s.Sequence).Select(s => s.Snapshot())];
    }

    /// <inheritdoc />
    public ProfileTask? Cancel(string taskId)
    {
        var session = Find(taskId);
        if (session is null)
        {
            return null;
        }

        session.End(ProfileTaskState.Cancelled, null);
        if (session.IsForwarded)
        {
            // Its worker sends its last samples first; the wait is bounded by LastSamplesTimeout.
            session.Ended.Wait(ProfileSession.LastSamplesTimeout + TimeSpan.FromSeconds(1));
        }

        return session.Snapshot();
    }

    /// <inheritdoc />
    public ProfileResult? GetResult(string taskId) => Find(taskId)?.Result();

    /// <summary>Cancels every active task and stops the sampler thread.</summary>
    public void Dispose()
    {
        ProfileSession[] sessions;
        Thread? sampler;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            sessions = [.. _sessions.Values];
            sampler = _sampler;
        }

        foreach (var session in sessions)
        {
            session.End(ProfileTaskState.Cancelled, "The profiler was disposed.");
        }

        _wake.Set();
        if (sampler is not null && sampler != Thread.CurrentThread)
        {
            sampler.Join(TimeSpan.FromSeconds(5));
        }
    }

    private ProfileSession? Find(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        lock (_lock)
        {
            return _sessions.GetValueOrDefault(taskId);
        }
    }

    private void OnEnded(ProfileSession session)
    {
        lock (_lock)
        {
            if (!session.IsForwarded)
            {
                _toRelease.Add(session); // its code objects, released by the sampler thread
            }

            _ended.Enqueue(session);
            while (_ended.Count > _options.RetainedTasks)
            {
                _sessions.Remove(_ended.Dequeue().Id);
            }
        }

        var task = session.Snapshot();
        Log.ProfileEnded(_logger, task.Id, task.CheckId, task.State, task.Quality.Samples, task.Runs, task.Message ?? string.Empty);
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>The sampler thread: lives while a task is active.</summary>
    private void SamplerLoop()
    {
        var sessions = new List<ProfileSession>();
        var due = new List<ProfileSession>();
        var attachments = new List<RunAttachment>();
        var samples = new List<TickSample>();
        var frames = new FrameSample[ProfileRequest.MaxDepthLimit * 4];
        int[] scratch = new int[ProfileRequest.MaxDepthLimit + 1];
        var release = new List<ProfileSession>();
        while (true)
        {
            sessions.Clear();
            release.Clear();
            lock (_lock)
            {
                foreach (var session in _sessions.Values)
                {
                    if (session.IsActive && !session.IsForwarded)
                    {
                        sessions.Add(session);
                    }
                }

                release.AddRange(_toRelease);
                _toRelease.Clear();
                if (sessions.Count == 0 && release.Count == 0)
                {
                    _sampler = null;
                    return;
                }
            }

            foreach (var session in release)
            {
                session.Codes.Release();
            }

            long now = Stopwatch.GetTimestamp();
            long wait = long.MaxValue;
            foreach (var session in sessions)
            {
                session.Start(); // pending → running, once
                if (session.HasAttachedRuns)
                {
                    wait = Math.Min(wait, session.NextDue - now);
                }
            }

            if (wait > 0)
            {
                // Idle (no run attached) or early: sleep until due (rounded up to the millisecond: never spin), or until
                // a run attaches, a task starts or one ends.
                int timeout = wait == long.MaxValue ? 250 : (int)Math.Ceiling(Stopwatch.GetElapsedTime(0, wait).TotalMilliseconds);
                _wake.WaitOne(timeout);
                continue;
            }

            due.Clear();
            now = Stopwatch.GetTimestamp();
            foreach (var session in sessions)
            {
                if (session.HasAttachedRuns && session.NextDue <= now)
                {
                    due.Add(session);
                }
            }

            Tick(due, attachments, samples, ref frames, scratch);
        }
    }

    private void Tick(List<ProfileSession> due, List<RunAttachment> attachments, List<TickSample> samples, ref FrameSample[] frames, int[] scratch)
    {
        if (due.Count == 0)
        {
            return;
        }

        // Which samples belong to which task: [start, end) of samples per due session.
        Span<int> ends = stackalloc int[due.Count];
        long requested = Stopwatch.GetTimestamp(), acquired, released;
        bool read = false;
        if (_reader is { } reader)
        {
            read = ReadWithoutGil(reader, due, attachments, samples, ref frames, ends, requested);
            Interlocked.Add(ref _readTime, Stopwatch.GetTimestamp() - requested);
        }

        if (read)
        {
            // The check's thread kept the GIL: no wait, no hold.
            Interlocked.Increment(ref _ticksWithoutGil);
            Record(due, samples, frames, ends, requested, 0, 0, scratch);
            return;
        }

        samples.Clear();
        Interlocked.Increment(ref _ticksUnderGil);
        try
        {
            using (_runtime.AcquireGil())
            {
                acquired = Stopwatch.GetTimestamp();
                int used = 0;
                for (int d = 0; d < due.Count; d++)
                {
                    var session = due[d];
                    attachments.Clear();
                    session.CopyEligible(acquired, attachments);
                    foreach (var attachment in attachments)
                    {
                        int depth = session.Request.MaxDepth;
                        if (used + depth > frames.Length)
                        {
                            Array.Resize(ref frames, Math.Max(frames.Length * 2, used + depth)); // many concurrent runs
                        }

                        int count = FrameWalker.Walk(attachment.ThreadState, frames.AsSpan(used, depth), session.Codes, out bool truncated);
                        samples.Add(new TickSample(attachment, used, count, truncated, acquired));
                        if (_reader is { } check && !check.Matches(attachment.ThreadState, frames.AsSpan(used, count), truncated, depth, session.Codes, out string detail))
                        {
                            // The layout is not the one the reader assumes (another build, a tracer setting line numbers):
                            // every later tick takes the GIL, as on the versions the reader does not read.
                            _reader = null;
                            Log.ReaderDisagreed(_logger, detail);
                        }

                        used += count;
                    }

                    ends[d] = samples.Count;
                }

                released = Stopwatch.GetTimestamp();
            }
        }
        catch (PythonRuntimeException e)
        {
            // The runtime is stopping: nothing can be sampled any more.
            foreach (var session in due)
            {
                session.End(ProfileTaskState.Failed, $"The Python runtime stopped: {e.Message}");
            }

            return;
        }

        Record(due, samples, frames, ends, requested, acquired - requested, released - acquired, scratch);
    }

    /// <summary>
    /// Reads the due runs' stacks without the GIL (see <see cref="FrameReader"/>). Fails, leaving the tick to the GIL,
    /// when a frame runs a code object not seen yet (only the walk under the GIL reads its name), or when a run's stack
    /// moved during its read (that run is sampled under the GIL from then on); a run that detached during its read
    /// gives no sample.
    /// </summary>
    private static bool ReadWithoutGil(FrameReader reader, List<ProfileSession> due, List<RunAttachment> attachments, List<TickSample> samples, ref FrameSample[] frames, Span<int> ends, long observed)
    {
        samples.Clear();
        int used = 0;
        for (int d = 0; d < due.Count; d++)
        {
            var session = due[d];
            attachments.Clear();
            session.CopyEligible(observed, attachments);
            foreach (var attachment in attachments)
            {
                int depth = session.Request.MaxDepth;
                if (used + depth > frames.Length)
                {
                    Array.Resize(ref frames, Math.Max(frames.Length * 2, used + depth));
                }

                if (attachment.SampledUnderGil)
                {
                    return false;
                }

                var status = reader.Read(attachment.ThreadState, frames.AsSpan(used, depth), session.Codes, out int count, out bool truncated);
                if (status == FrameReadStatus.Inconsistent)
                {
                    // Its stack moves faster than a read: from now on the run is sampled under the GIL, at a moment
                    // that does not depend on what the stack was (keeping only the reads that agreed would favour
                    // the stacks that move least).
                    attachment.SampledUnderGil = true;
                    return false;
                }

                if (status == FrameReadStatus.UnknownCode)
                {
                    return false;
                }

                if (attachment.Detached)
                {
                    continue; // the run returned during the read: what was read may be its worker's next work
                }

                samples.Add(new TickSample(attachment, used, count, truncated, observed));
                used += count;
            }

            ends[d] = samples.Count;
        }

        return true;
    }

    private static void Record(List<ProfileSession> due, List<TickSample> samples, FrameSample[] frames, ReadOnlySpan<int> ends, long requested, long gilWait, long hold, int[] scratch)
    {
        int start = 0;
        for (int d = 0; d < due.Count; d++)
        {
            var session = due[d];
            var mine = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples)[start..ends[d]];
            session.Record(mine, frames, gilWait, hold, scratch);
            session.NextDue = session.NextAfter(requested); // the wait for the GIL counts towards the interval
            start = ends[d];
        }
    }
}
