using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The worker process: connects to the socket its host listens on, starts Python with the host's settings, then
/// loads, runs, interrupts and unloads instances as the host asks, sending back what they submit and how each run
/// ended. When the host goes away the worker ends at once, whatever its checks are doing.
/// </summary>
internal sealed partial class WorkerMain
{
    private readonly FrameChannel _channel;
    private readonly WorkerSender _sender;
    private readonly CheckHost _host;
    private readonly ConcurrentDictionary<uint, (ICheck Check, WorkerCheckStream Stream)> _instances = new();
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _runs = new();

    private readonly string _folder;

    private WorkerMain(FrameChannel channel, WorkerSender sender, CheckHost host, string folder)
    {
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
        CheckHost host;
        try
        {
            var options = settings.ToOptions();
            options.InWorkerProcess = true;
            host = CheckHost.Start(options, [sender], new ForwardingLoggerFactory(channel, settings.MinimumLogLevel));
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
        return new WorkerMain(channel, sender, host, Path.GetDirectoryName(socketPath)!).Serve();
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
                case MessageType.Unload:
                    if (_instances.TryRemove((uint)reader.ReadVarUInt(), out var gone))
                    {
                        _sender.Unregister(gone.Check.Id, gone.Stream);
                        gone.Check.Dispose();
                        gone.Stream.Dispose();
                    }

                    break;
                case MessageType.Shutdown:
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
        Task<CheckRunResult> run;
        try
        {
            run = instance.Check.RunAsync(cancel.Token);
        }
        catch (Exception e)
        {
            run = Task.FromException<CheckRunResult>(e);
        }

        run.ContinueWith(
            completed =>
            {
                _runs.TryRemove(runId, out _);
                cancel.Dispose();
                var result = completed.IsCompletedSuccessfully ? completed.Result : new CheckRunResult
                {
                    CheckId = instance.Check.Id,
                    Error = completed.Exception?.InnerException?.Message ?? "the run was canceled before it started",
                    Interrupted = completed.IsCanceled,
                    StartedAt = DateTimeOffset.UtcNow,
                };

                // The run's submissions (its commit included) and its result in one write: one wake-up of the host's reader.
                try
                {
                    instance.Stream.FlushWith(DoneFrame(handle, runId, result).Written);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    Exit(0);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
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
