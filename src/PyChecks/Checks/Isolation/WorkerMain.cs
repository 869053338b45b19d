using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Profiling;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The worker process: connects to the socket its host listens on, starts Python with the host's settings, then
/// loads, runs, interrupts and unloads instances as the host asks, sending back what they submit and how each run
/// ended, and profiles them for the host's profile tasks. When the host goes away the worker ends at once, whatever its
/// checks are doing.
/// </summary>
internal sealed partial class WorkerMain
{
    // How often a profile task's new samples go to the host (and at the end of each run of its check).
    private static readonly TimeSpan ProfileProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly FrameChannel _channel;
    private readonly WorkerSender _sender;
    private readonly CheckHost _host;
    private readonly WorkerAgentServices _services;
    private readonly ConcurrentDictionary<uint, (ICheck Check, WorkerCheckStream Stream)> _instances = new();
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _runs = new();
    private readonly ConcurrentDictionary<string, (ProfileSession Session, Lock Sending)> _profiles = new(StringComparer.Ordinal);
    private Profiler? _profiler;

    private readonly string _folder;

    private WorkerMain(FrameChannel channel, WorkerSender sender, CheckHost host, WorkerAgentServices services, string folder)
    {
        _services = services;
        _folder = folder;
        _channel = channel;
        _sender = sender;
        _host = host;
    }

    /// <summary>Runs a worker process to its end; the process exit code.</summary>
    public static int Run(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"PyChecks worker: cannot connect to its host at {socketPath}: {e.Message}");
            return 3;
        }

        using var channel = new FrameChannel(socket);
        if (!channel.TryReceive(out var type, out var payload) || type != MessageType.Hello)
        {
            Console.Error.WriteLine("PyChecks worker: the host sent no settings");
            return 3;
        }

        var reader = new FrameReader(payload.Span);
        var settings = WorkerSettings.Read(ref reader);
        var sender = new WorkerSender();
        var services = new WorkerAgentServices(channel);
        CheckHost host;
        try
        {
            var options = settings.ToOptions();
            options.InWorkerProcess = true;
            host = CheckHost.Start(options, [sender], new ForwardingLoggerFactory(channel, settings.MinimumLogLevel), agentServices: services.For(settings.ForwardedServices));
            using var gil = host.Runtime.AcquireGil();
            using var hostModule = PyObject.Import("pychecks._host");
            hostModule.CallMethod("worker_started").Dispose();
        }
        catch (Exception e)
        {
            SendReady(channel, null, e.Message);
            return 4;
        }

        SendReady(channel, host.Runtime.Version.ToString(), null);
        return new WorkerMain(channel, sender, host, services, Path.GetDirectoryName(socketPath)!).Serve();
    }

    private static void SendReady(FrameChannel channel, string? version, string? error)
    {
        var writer = new FrameWriter();
        writer.BeginFrame(MessageType.Ready);
        writer.WriteVarUInt((ulong)Environment.ProcessId);
        writer.WriteString(version);
        writer.WriteString(error);
        writer.EndFrame();
        channel.Send(writer);
    }

    private int Serve()
    {
        while (true)
        {
            MessageType type;
            ReadOnlyMemory<byte> payload;
            try
            {
                if (!_channel.TryReceive(out type, out payload))
                {
                    break;
                }
            }
            catch (Exception e) when (e is SocketException or InvalidDataException or ObjectDisposedException)
            {
                break;
            }

            var reader = new FrameReader(payload.Span);
            switch (type)
            {
                case MessageType.Load:
                    uint handle = (uint)reader.ReadVarUInt();
                    var config = WorkerMessages.ReadConfig(ref reader);
                    _ = Task.Run(() => Load(handle, config));
                    break;
                case MessageType.Run:
                    Run((uint)reader.ReadVarUInt(), reader.ReadVarUInt());
                    break;
                case MessageType.Cancel:
                    reader.ReadVarUInt();
                    if (_runs.TryGetValue(reader.ReadVarUInt(), out var cancel))
                    {
                        cancel.Cancel();
                    }

                    break;
                case MessageType.ServiceAnswer:
                    _services.Answer(ref reader);
                    break;
                case MessageType.Unload:
                    if (_instances.TryRemove((uint)reader.ReadVarUInt(), out var gone))
                    {
                        _sender.Unregister(gone.Check.Id, gone.Stream);
                        gone.Check.Dispose();
                        gone.Stream.Dispose();
                    }

                    break;
                case MessageType.ProfileStart:
                    {
                        string taskId = reader.ReadRequiredString();
                        long maxBytes = reader.ReadVarInt();
                        StartProfile(taskId, maxBytes, ProfileMessages.ReadRequest(ref reader));
                        break;
                    }

                case MessageType.ProfileStop:
                    if (_profiles.TryGetValue(reader.ReadRequiredString(), out var stopped))
                    {
                        stopped.Session.End(ProfileTaskState.Cancelled, null);
                    }

                    break;
                case MessageType.Shutdown:
                    _profiler?.Dispose();
                    foreach (var instance in _instances.Values)
                    {
                        instance.Check.Dispose();
                    }

                    _host.Dispose();
                    return 0;
                default:
                    break;
            }
        }

        // The host is gone (or spoke nonsense): nothing a check does may keep this process alive without it.
        Exit(0);
        return 0;
    }

    private void Load(uint handle, CheckInstanceConfig config)
    {
        var writer = new FrameWriter();
        writer.BeginFrame(MessageType.Loaded);
        writer.WriteVarUInt(handle);
        try
        {
            // A reload loads a changed check again: its module must be imported afresh here too.
            _host.InvalidateChangedModules();
            var check = _host.Load(config);
            var stream = new WorkerCheckStream(handle, _channel, SubmissionJournal.Create(_folder, handle));
            _instances[handle] = (check, stream);
            _sender.Register(check.Id, stream);
            writer.WriteBool(true);
            WorkerMessages.WriteIdentity(writer, check);
        }
        catch (CheckLoadException e)
        {
            writer.WriteBool(false);
            writer.WriteVarUInt((ulong)e.Errors.Count);
            foreach (var (loader, error) in e.Errors)
            {
                writer.WriteString(loader);
                writer.WriteString(error);
            }
        }

        writer.EndFrame();
        TrySend(writer);
    }

    private void Run(uint handle, ulong runId)
    {
        if (!_instances.TryGetValue(handle, out var instance))
        {
            SendDone(handle, runId, new CheckRunResult { CheckId = string.Empty, Error = "the worker process has no instance under this handle", StartedAt = DateTimeOffset.UtcNow });
            return;
        }

        var cancel = new CancellationTokenSource();
        _runs[runId] = cancel;
        var run = new RunInWorker(this, instance.Check, instance.Stream, handle, runId, cancel);

        // A Python check runs on a Python worker thread, which then sends its end from there: no task, no thread-pool hop.
        if (instance.Check is PythonCheck python && python.TryRunOnWorker(static (result, error, state) => ((RunInWorker)state!).End(result, error), run, cancel.Token))
        {
            return;
        }

        Task<CheckRunResult> task;
        try
        {
            task = instance.Check.RunAsync(cancel.Token);
        }
        catch (Exception e)
        {
            task = Task.FromException<CheckRunResult>(e);
        }

        task.ContinueWith(
            static (completed, state) => ((RunInWorker)state!).End(completed.IsCompletedSuccessfully ? completed.Result : null, completed.Exception?.InnerException ?? new OperationCanceledException()),
            run,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private sealed class RunInWorker(WorkerMain main, ICheck check, WorkerCheckStream stream, uint handle, ulong runId, CancellationTokenSource cancel)
    {
        public void End(CheckRunResult? result, Exception? error)
        {
            main._runs.TryRemove(runId, out _);
            cancel.Dispose();
            main.FlushProfiles(check.Id); // the run's profile samples reach the host before its end does
            result ??= new CheckRunResult
            {
                CheckId = check.Id,
                Error = error is OperationCanceledException ? "the run was canceled before it started" : error?.Message ?? "the run ended without a result",
                Interrupted = error is OperationCanceledException,
                StartedAt = DateTimeOffset.UtcNow,
            };

            // The run's submissions (its commit included) and its result in one write: one wake-up of the host's reader.
            try
            {
                stream.FlushWith(DoneFrame(handle, runId, result).Written);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Exit(0);
            }
        }
    }

    /// <summary>
    /// Starts a profile task of the host with this process's own profiler: the runs of the instances of its check id
    /// here are sampled in process, as in a host without workers. Its duration is the host's to keep: here it lasts
    /// until the host stops it.
    /// </summary>
    private void StartProfile(string taskId, long maxBytes, ValidRequest request)
    {
        ProfileSession session;
        try
        {
            _profiler ??= new Profiler(_host.Runtime, new ProfilerOptions { MaxConcurrentTasks = 64, RetainedTasks = 0 }, TimeProvider.System, NullLogger.Instance, checkExists: null);
            session = _profiler.Admit(request with { Duration = ProfileRequest.MaxDuration }, taskId, maxBytes, forwarder: null);
        }
        catch (Exception e) when (e is ProfileRequestException or ObjectDisposedException)
        {
            var writer = new FrameWriter(256);
            writer.BeginFrame(MessageType.ProfileDone);
            writer.WriteString(taskId);
            ProfileMessages.WriteDelta(writer, new ProfileDelta
            {
                State = ProfileTaskState.Failed,
                Reason = $"The worker process could not start the task: {e.Message}",
                Runs = 0,
                Quality = new ProfileQuality { RequestedHz = 1 / request.Interval.TotalSeconds },
                FirstFrame = 0,
                Frames = [],
                FirstStack = 0,
                Stacks = [],
                FirstSample = 0,
                Samples = [],
                RunRecords = [],
            });
            writer.EndFrame();
            TrySend(writer);
            return;
        }

        var sending = new Lock();
        _profiles[taskId] = (session, sending);
        _ = ForwardProfileAsync(session, sending);
    }

    /// <summary>Sends the task's samples to the host as they come (the first message says it runs), then its last ones when it ends.</summary>
    private async Task ForwardProfileAsync(ProfileSession session, Lock sending)
    {
        await session.Started.ConfigureAwait(false);
        SendProfile(session, sending, final: false, always: true);
        while (!session.Ended.IsCompleted)
        {
            await Task.WhenAny(session.Ended, Task.Delay(ProfileProgressInterval)).ConfigureAwait(false);
            SendProfile(session, sending, final: false, always: false);
        }

        SendProfile(session, sending, final: true, always: true);
        _profiles.TryRemove(session.Id, out _);
    }

    private void FlushProfiles(string checkId)
    {
        foreach (var (session, sending) in _profiles.Values)
        {
            if (string.Equals(session.CheckId, checkId, StringComparison.Ordinal) && !session.Ended.IsCompleted)
            {
                SendProfile(session, sending, final: false, always: false);
            }
        }
    }

    // One sender at a time per task: deltas must reach the host in the order they were taken.
    private void SendProfile(ProfileSession session, Lock sending, bool final, bool always)
    {
        lock (sending)
        {
            var delta = session.TakeDelta();
            if (!always && delta.HasNoData)
            {
                return;
            }

            var writer = new FrameWriter(256);
            writer.BeginFrame(final ? MessageType.ProfileDone : MessageType.ProfileProgress);
            writer.WriteString(session.Id);
            ProfileMessages.WriteDelta(writer, delta);
            writer.EndFrame();
            TrySend(writer);
        }
    }

    private void SendDone(uint handle, ulong runId, CheckRunResult result) => TrySend(DoneFrame(handle, runId, result));

    private static FrameWriter DoneFrame(uint handle, ulong runId, CheckRunResult result)
    {
        var writer = new FrameWriter();
        writer.BeginFrame(MessageType.RunDone);
        writer.WriteVarUInt(handle);
        writer.WriteVarUInt(runId);
        WorkerMessages.WriteResult(writer, result);
        writer.EndFrame();
        return writer;
    }

    private void TrySend(FrameWriter writer)
    {
        try
        {
            _channel.Send(writer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Exit(0);
        }
    }

    private static void Exit(int code)
    {
        Console.Error.Flush();
        NativeExit(code);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void NativeExit(int code);
}
