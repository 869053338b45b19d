using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PyChecks.Profiling;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The host's side of one worker process: starts it, checks that the peer on its socket is that process, reads its
/// frames on a thread of its own, and when the process ends (however it ends) says how, with its last lines on stderr.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    private const int StderrLines = 20;

    private readonly WorkerProcessPool _pool;
    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<LoadAnswer>> _loads = new();
    private readonly ConcurrentDictionary<ulong, PendingRun> _runs = new();
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProfileSession> _profiles = new(StringComparer.Ordinal);
    private readonly Lock _profileSends = new();
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FrameChannel? _channel;
    private Timer? _memoryWatch;
    private string? _killReason;
    private int _lost;

    private WorkerProcess(WorkerProcessPool pool, WorkerProcessPool.Slot slot, int generation, Process process)
    {
        _pool = pool;
        Slot = slot;
        Generation = generation;
        _process = process;
        StartedAt = DateTimeOffset.UtcNow;
    }

    public WorkerProcessPool.Slot Slot { get; }

    public int Generation { get; }

    public int Pid { get; private set; }

    public string PythonVersion { get; private set; } = string.Empty;

    public DateTimeOffset StartedAt { get; }

    // Alive until its loss is handled (journals read, runs failed): a new worker for the slot starts only then.
    public bool IsAlive => !_ended.Task.IsCompleted;

    /// <summary>Completes with the description of how the process ended.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>Runs sent to this worker that have not ended.</summary>
    public int RunsInFlight => _runs.Count;

    /// <summary>
    /// Starts a worker for <paramref name="slot"/>, waits for it to connect and start Python (all within
    /// <see cref="WorkerProcessOptions.StartTimeout"/>), and starts reading it.
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(WorkerProcessPool pool, WorkerProcessPool.Slot slot, int generation, CancellationToken cancellationToken)
    {
        string socketPath = Path.Combine(pool.Folder, $"w{slot.Index}.{generation}.sock");
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);

        var start = new ProcessStartInfo(pool.Launch.Dotnet)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // The host's own PyChecks settings (a control API token given as PyChecks__Api__Token, say) are not the checks'.
        foreach (string name in start.Environment.Keys.Where(IsHostSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (string arg in pool.Launch.Arguments(socketPath))
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(pool, slot, generation, process);
        process.ErrorDataReceived += (_, e) => worker.StderrLine(e.Data);
        process.Start();
        worker.Pid = process.Id;
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(pool.Options.StartTimeout);
        try
        {
            var accept = listener.AcceptAsync(deadline.Token).AsTask();
            var exited = process.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(accept, exited).ConfigureAwait(false) != accept)
            {
                await exited.ConfigureAwait(false);
                throw new WorkerStartException($"the worker process (pid {process.Id}) {worker.DescribeExit()} before it connected{worker.StderrTail()}");
            }

            var socket = await accept.ConfigureAwait(false);
            File.Delete(socketPath);
            int peer = PeerPid(socket);
            if (peer != process.Id)
            {
                socket.Dispose();
                throw new WorkerStartException($"a process other than the worker (pid {peer}, not {process.Id}) connected to the worker socket; refused");
            }

            worker._channel = new FrameChannel(socket);
            var hello = new FrameWriter(1024);
            hello.BeginFrame(MessageType.Hello);
            pool.Settings.Write(hello);
            hello.EndFrame();
            worker._channel.Send(hello);

            // The answer comes once Python started; the deadline holds through a blocking read.
            using (deadline.Token.Register(static s => ((Socket)s!).Dispose(), socket))
            {
                await Task.Run(worker.ReadReady, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            worker.Kill("it did not start in time");
            throw new WorkerStartException(
                cancellationToken.IsCancellationRequested
                    ? "the worker's start was canceled"
                    : $"the worker process (pid {process.Id}) did not start Python and answer within {pool.Options.StartTimeout.TotalSeconds:0.#} s{worker.StderrTail()}",
                e);
        }
        catch
        {
            worker.Kill("its start failed");
            throw;
        }

        worker.StartReading();
        return worker;
    }

    private static bool IsHostSetting(string name)
    {
        foreach (string prefix in (string[])["", "DOTNET_", "ASPNETCORE_"])
        {
            if (name.StartsWith(prefix + "PyChecks__", StringComparison.OrdinalIgnoreCase) || name.StartsWith(prefix + "PyChecks:", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void ReadReady()
    {
        if (!_channel!.TryReceive(out var type, out var payload) || type != MessageType.Ready)
        {
            throw new InvalidDataException("the worker closed its socket before it said it was ready");
        }

        var reader = new FrameReader(payload.Span);
        reader.ReadVarUInt();
        string? version = reader.ReadString();
        string? error = reader.ReadString();
        if (version is null)
        {
            throw new WorkerStartException($"the worker process (pid {_process.Id}) could not start Python: {error}");
        }

        PythonVersion = version;
    }

    private void StartReading()
    {
        var thread = new Thread(ReadLoop) { IsBackground = true, Name = $"PyChecks worker {Slot.Index} reader" };
        thread.Start();
        if (_pool.Options.MemoryLimitMiB is long limit)
        {
            _memoryWatch = new Timer(static s => ((WorkerProcess)s!).WatchMemory(), this, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Sends frames; <see langword="false"/> when the worker is gone (its loss is being handled).</summary>
    public bool TrySend(FrameWriter writer)
    {
        try
        {
            _channel!.Send(writer);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Loads the configuration <paramref name="config"/> into this worker under its handle.</summary>
    public async Task<LoadAnswer> LoadAsync(uint handle, CheckInstanceConfig config, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<LoadAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loads[handle] = answer;
        var writer = new FrameWriter(512);
        writer.BeginFrame(MessageType.Load);
        writer.WriteVarUInt(handle);
        WorkerMessages.WriteConfig(writer, config);
        writer.EndFrame();
        if (!IsAlive || !TrySend(writer))
        {
            _loads.TryRemove(handle, out _);
            return new LoadAnswer(null, [("worker process", $"the worker process ended: {await Ended.ConfigureAwait(false)}")]);
        }

        var ended = Ended;
        var done = await Task.WhenAny(answer.Task, ended).WaitAsync(cancellationToken).ConfigureAwait(false);
        _loads.TryRemove(handle, out _);
        return done == answer.Task
            ? await answer.Task.ConfigureAwait(false)
            : new LoadAnswer(null, [("worker process", $"the worker process ended while it loaded the check: {await ended.ConfigureAwait(false)}")]);
    }

    /// <summary>Sends <paramref name="run"/>; a worker already lost fails it at once.</summary>
    public void Run(PendingRun run)
    {
        run.Worker = this;
        _runs[run.RunId] = run;
        var writer = new FrameWriter(32);
        writer.BeginFrame(MessageType.Run);
        writer.WriteVarUInt(run.Check.Handle);
        writer.WriteVarUInt(run.RunId);
        writer.EndFrame();
        if (!IsAlive || !TrySend(writer))
        {
            // ReadLoop's end fails every run it finds registered; a run registered after it looked is failed here.
            if (Volatile.Read(ref _lost) != 0 && _runs.TryRemove(run.RunId, out _))
            {
                _ = FailLostAsync(run);
            }
        }
    }

    private async Task FailLostAsync(PendingRun run) => run.Check.Lost(run, Describe(await Ended.ConfigureAwait(false)));

    public void Cancel(PendingRun run)
    {
        var writer = new FrameWriter(32);
        writer.BeginFrame(MessageType.Cancel);
        writer.WriteVarUInt(run.Check.Handle);
        writer.WriteVarUInt(run.RunId);
        writer.EndFrame();
        TrySend(writer);
    }

    /// <summary>
    /// Starts <paramref name="session"/>'s task here: the worker samples the runs of its check's instances (by id, as in
    /// process) and sends the data back; a worker already lost fails it.
    /// </summary>
    public void StartProfile(ProfileSession session)
    {
        var writer = new FrameWriter(128);
        writer.BeginFrame(MessageType.ProfileStart);
        writer.WriteString(session.Id);
        writer.WriteVarInt(session.MaxBytes);
        ProfileMessages.WriteRequest(writer, session.Request);
        writer.EndFrame();
        bool sent;
        lock (_profileSends)
        {
            // Registered and sent under one lock: a stop that finds the task is sent after its start.
            _profiles[session.Id] = session;
            sent = IsAlive && TrySend(writer);
        }

        // ReadLoop's end fails every task it finds registered; a task registered after it looked is failed here.
        if (!sent && Volatile.Read(ref _lost) != 0 && _profiles.TryRemove(session.Id, out _))
        {
            _ = FailLostProfileAsync(session);
        }
    }

    private async Task FailLostProfileAsync(ProfileSession session) => session.Fail(DescribeForProfile(await Ended.ConfigureAwait(false)));

    /// <summary>Asks the worker to end a task it samples, and to send its last samples.</summary>
    public void StopProfile(string taskId)
    {
        var writer = new FrameWriter(32);
        writer.BeginFrame(MessageType.ProfileStop);
        writer.WriteString(taskId);
        writer.EndFrame();
        lock (_profileSends)
        {
            if (_profiles.ContainsKey(taskId))
            {
                TrySend(writer);
            }
        }
    }

    public void Unload(uint handle)
    {
        var writer = new FrameWriter(16);
        writer.BeginFrame(MessageType.Unload);
        writer.WriteVarUInt(handle);
        writer.EndFrame();
        TrySend(writer);
    }

    /// <summary>Asks the worker to stop; kills it if it has not ended within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var writer = new FrameWriter(8);
        writer.BeginFrame(MessageType.Shutdown);
        writer.EndFrame();
        if (TrySend(writer))
        {
            try
            {
                await Ended.WaitAsync(timeout).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                Kill($"it did not stop within {timeout.TotalSeconds:0.#} s of the host's shutdown");
            }
        }
        else
        {
            Kill("the host is stopping");
        }

        await Ended.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <summary>Kills the process (SIGKILL) and remembers why, for the runs it fails.</summary>
    public void Kill(string reason)
    {
        Interlocked.CompareExchange(ref _killReason, reason, null);
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already ended.
        }

        _channel?.Dispose();
    }

    private void WatchMemory()
    {
        if (_pool.Options.MemoryLimitMiB is not long limit || !IsAlive)
        {
            return;
        }

        long rss = ResidentBytes();
        if (rss > limit << 20)
        {
            _pool.Log.MemoryLimit(Pid, rss >> 20, limit);
            Kill($"its memory (RSS {rss >> 20} MiB) passed the limit of {limit} MiB (WorkerProcesses.MemoryLimitMiB)");
        }
    }

    /// <summary>The process's resident memory in bytes, from <c>/proc/PID/statm</c>; 0 once it ended.</summary>
    public long ResidentBytes()
    {
        try
        {
            string[] fields = File.ReadAllText($"/proc/{Pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }


    private static int PeerPid(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } from SO_PEERCRED (SOL_SOCKET 1, option 17).
        Span<byte> credentials = stackalloc byte[12];
        int length = socket.GetRawSocketOption(1, 17, credentials);
        return length >= 4 ? BitConverter.ToInt32(credentials) : -1;
    }

    public void Dispose()
    {
        Kill("the host released it");
    }
}
