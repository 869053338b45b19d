using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PyChecks.Checks.Isolation;

/// <summary>A worker's frames, read on its own thread and handed to the instances, runs, loads, logs and profiles they concern.</summary>
internal sealed partial class WorkerProcess
{
    private void ReadLoop()
    {
        try
        {
            while (_channel!.TryReceive(out var type, out var payload))
            {
                try
                {
                    Dispatch(type, payload.Span);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{e.Message} (in a {type} frame of {payload.Length} bytes)", e);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidDataException)
        {
            if (e is InvalidDataException)
            {
                Kill($"it broke the protocol: {e.Message}");
            }
        }

        Lose();
    }

    private void Dispatch(MessageType type, ReadOnlySpan<byte> payload)
    {
        var reader = new FrameReader(payload);
        switch (type)
        {
            case MessageType.Submissions:
                {
                    uint handle = (uint)reader.ReadVarUInt();
                    uint sequence = (uint)reader.ReadVarUInt();
                    if (_pool.Find(handle) is { } check)
                    {
                        check.ReceivedSequence = sequence;
                        check.Receive(ref reader);
                    }

                    break;
                }

            case MessageType.RunDone:
                {
                    uint handle = (uint)reader.ReadVarUInt();
                    ulong runId = reader.ReadVarUInt();
                    if (_runs.TryRemove(runId, out var run))
                    {
                        var result = WorkerMessages.ReadResult(ref reader, run.Check.Id);
                        run.Check.End(run, result, crashed: false);
                    }

                    break;
                }

            case MessageType.Loaded:
                {
                    uint handle = (uint)reader.ReadVarUInt();
                    bool loaded = reader.ReadBool();
                    LoadAnswer answer;
                    if (loaded)
                    {
                        answer = new LoadAnswer(WorkerMessages.ReadIdentity(ref reader), []);
                    }
                    else
                    {
                        int count = reader.ReadCount();
                        var errors = new List<(string, string)>(count);
                        for (int i = 0; i < count; i++)
                        {
                            errors.Add(($"{reader.ReadRequiredString()} in worker process {Pid}", reader.ReadRequiredString()));
                        }

                        answer = new LoadAnswer(null, errors);
                    }

                    if (_loads.TryGetValue(handle, out var waiting))
                    {
                        waiting.TrySetResult(answer);
                    }

                    break;
                }

            case MessageType.ProfileProgress:
            case MessageType.ProfileDone:
                {
                    string taskId = reader.ReadRequiredString();
                    var delta = ProfileMessages.ReadDelta(ref reader);
                    bool final = type == MessageType.ProfileDone;
                    if (final ? _profiles.TryRemove(taskId, out var profile) : _profiles.TryGetValue(taskId, out profile))
                    {
                        profile.Merge(delta, final);
                    }

                    break;
                }

            case MessageType.ServiceCall:
                {
                    // The host's services answer from memory (their contract): answered here, in the order asked.
                    var answer = AgentServiceAnswers.Answer(_pool.Router.Services, ref reader);
                    try
                    {
                        _channel!.Send(answer);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        // The worker is gone; its loss is handled when the reading ends.
                    }

                    break;
                }

            case MessageType.Log:
                {
                    string category = reader.ReadRequiredString();
                    var level = (LogLevel)reader.ReadVarUInt();
                    int eventId = (int)reader.ReadVarInt();
                    string? eventName = reader.ReadString();
                    string message = reader.ReadString() ?? string.Empty;
                    string? exception = reader.ReadString();
                    var logger = _loggers.GetOrAdd(category, static (c, f) => f.CreateLogger(c), _pool.LoggerFactory);
                    WorkerProcessPool.LogForwarded(logger, level, new EventId(eventId, eventName), message, exception, Pid);
                    break;
                }

            default:
                throw new InvalidDataException($"unexpected message {type} from a worker");
        }
    }
}
