using System.Collections.Concurrent;
using System.Net.Sockets;
using PyChecks.Builtins;
using PyChecks.Interop;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// In a worker process, the Agent services its host provides (<see cref="WorkerSettings.ForwardedServices"/>): each call
/// is a <see cref="MessageType.ServiceCall"/> to the host, answered by the host's own service. The calling thread, a
/// check's, waits for the answer with the GIL released (the worker's reading thread may need it meanwhile, to unload an
/// instance), for at most <see cref="AnswerTimeout"/>.
/// </summary>
internal sealed class WorkerAgentServices(FrameChannel channel) : ITagger, IContainerFilter, IKubeletConnection
{
    /// <summary>How long a call waits for the host's answer before it fails.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<ulong, PendingCall> _calls = new();
    private long _lastCall;

    /// <summary>The services of a worker's <see cref="CheckHost"/>: those the host provides forwarded, the defaults for the rest.</summary>
    public AgentServices For(ForwardedAgentServices forwarded) => new()
    {
        Tagger = forwarded.HasFlag(ForwardedAgentServices.Tagger) ? this : EmptyAgentServices.Instance,
        ContainerFilter = forwarded.HasFlag(ForwardedAgentServices.ContainerFilter) ? this : EmptyAgentServices.Instance,
        Kubelet = forwarded.HasFlag(ForwardedAgentServices.Kubelet) ? this : EmptyAgentServices.Instance,
    };

    public IReadOnlyList<string> Tag(string entityId, TagCardinality cardinality) =>
        (IReadOnlyList<string>)Call(AgentServiceCall.Tag, writer =>
        {
            writer.WriteString(entityId);
            writer.WriteVarUInt((ulong)cardinality);
        })!;

    public bool IsExcluded(string name, string image, string kubernetesNamespace) =>
        (bool)Call(AgentServiceCall.IsExcluded, writer =>
        {
            writer.WriteString(name);
            writer.WriteString(image);
            writer.WriteString(kubernetesNamespace);
        })!;

    public IReadOnlyDictionary<string, object?> GetConnectionInfo() =>
        (IReadOnlyDictionary<string, object?>)Call(AgentServiceCall.ConnectionInfo, static _ => { })!;

    /// <summary>Hands the host's answer to the call waiting for it (on the worker's reading thread).</summary>
    public void Answer(ref FrameReader reader)
    {
        ulong callId = reader.ReadVarUInt();
        bool ok = reader.ReadBool();
        if (!_calls.TryGetValue(callId, out var call))
        {
            return; // the call gave up waiting
        }

        if (ok)
        {
            call.Answer = call.Kind switch
            {
                AgentServiceCall.Tag => reader.ReadStrings(),
                AgentServiceCall.IsExcluded => reader.ReadBool(),
                _ => reader.ReadMap(),
            };
        }
        else
        {
            call.Failure = new HostServiceException(reader.ReadRequiredString(), reader.ReadString() ?? string.Empty);
        }

        call.Done.Set();
    }

    private object? Call(AgentServiceCall kind, Action<FrameWriter> arguments)
    {
        ulong callId = (ulong)Interlocked.Increment(ref _lastCall);
        var writer = new FrameWriter(256);
        writer.BeginFrame(MessageType.ServiceCall);
        writer.WriteVarUInt(callId);
        writer.WriteByte((byte)kind);
        arguments(writer);
        writer.EndFrame();

        var call = new PendingCall(kind);
        _calls[callId] = call;
        try
        {
            bool answered = ThreadGil.WhileReleased(() =>
            {
                channel.Send(writer);
                return call.Done.Wait(AnswerTimeout);
            });
            if (!answered)
            {
                throw new TimeoutException($"the host did not answer a {kind} call of its Agent services within {AnswerTimeout.TotalSeconds:0} s");
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw new InvalidOperationException("the host is gone: its Agent services cannot be asked", e);
        }
        finally
        {
            _calls.TryRemove(callId, out _);
        }

        return call.Failure is { } failure ? throw failure : call.Answer;
    }

    // Not disposed: its event never allocates a wait handle (no WaitHandle is asked for), and an answer that comes after
    // the wait gave up may still set it.
    private sealed class PendingCall(AgentServiceCall kind)
    {
        public AgentServiceCall Kind => kind;

        public ManualResetEventSlim Done { get; } = new();

        public object? Answer { get; set; }

        public Exception? Failure { get; set; }

    }
}
