using Microsoft.Extensions.Logging;

namespace PyChecks.Checks;

/// <summary>The Agent's <c>log_level</c> that matches what the host's logging enables for checks.</summary>
internal static class HostLogLevel
{
    /// <summary>The category whose enabled level checks follow; each check logs under <c>PyChecks.Checks.&lt;name&gt;</c>.</summary>
    public const string Category = "PyChecks.Checks";

    /// <summary>The lowest level <paramref name="loggerFactory"/> enables for <see cref="Category"/>, spelled as in <c>datadog.yaml</c>.</summary>
    public static string Of(ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(Category);
        return logger.IsEnabled(LogLevel.Trace) ? "trace"
            : logger.IsEnabled(LogLevel.Debug) ? "debug"
            : logger.IsEnabled(LogLevel.Information) ? "info"
            : logger.IsEnabled(LogLevel.Warning) ? "warn"
            : logger.IsEnabled(LogLevel.Error) ? "error"
            : logger.IsEnabled(LogLevel.Critical) ? "critical"
            : "off";
    }
}
