using Microsoft.Extensions.Logging;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// In a worker: every logger sends its records to the host as <see cref="MessageType.Log"/> frames, where the host's
/// own logger of the same category writes them (so the host's filters and providers apply as for an in-process check).
/// </summary>
internal sealed class ForwardingLoggerFactory(FrameChannel channel, LogLevel minimum) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Forwarder(channel, categoryName, minimum);

    public void AddProvider(ILoggerProvider provider)
    {
        // A worker's records go to its host, whose providers are the ones that count.
    }

    public void Dispose()
    {
    }

    private sealed class Forwarder(FrameChannel channel, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var writer = new FrameWriter(256);
            writer.BeginFrame(MessageType.Log);
            writer.WriteString(category);
            writer.WriteVarUInt((ulong)logLevel);
            writer.WriteVarInt(eventId.Id);
            writer.WriteString(eventId.Name);
            writer.WriteString(formatter(state, exception));
            writer.WriteString(exception?.ToString());
            writer.EndFrame();
            try
            {
                channel.Send(writer);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The host is gone; the worker ends as soon as its reader sees it.
            }
        }
    }
}
