using Microsoft.Extensions.Logging;

namespace PyChecks.Tool.Checks;

/// <summary>Writes log entries as single lines (<c>[warning] category: message</c>) to a <see cref="TextWriter"/>.</summary>
internal sealed class TextWriterLoggerProvider(TextWriter output) : ILoggerProvider
{
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_lock)
        {
            output.WriteLine(line);
        }
    }

    private sealed class Logger(TextWriterLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string level = logLevel switch
            {
                LogLevel.Trace => "trace",
                LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warning",
                LogLevel.Error => "error",
                _ => "critical",
            };
            string message = formatter(state, exception);
            provider.Write(exception is null ? $"[{level}] {category}: {message}" : $"[{level}] {category}: {message}\n{exception}");
        }
    }
}
