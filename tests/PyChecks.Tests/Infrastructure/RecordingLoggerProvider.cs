using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PyChecks.Tests.Infrastructure;

/// <summary>A logger provider that records (category, level, message), standing in for the host's logging.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    /// <summary>Hands over the entries recorded since the last call, oldest first, and forgets them.</summary>
    public List<(string Category, LogLevel Level, string Message)> Take()
    {
        var taken = new List<(string, LogLevel, string)>();
        while (_entries.TryDequeue(out var entry))
        {
            taken.Add(entry);
        }

        return taken;
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
