using Microsoft.Extensions.Logging;
using PyChecks.Telemetry;

namespace PyChecks.Checks;

/// <summary>The check host's logs. Event ids are stable: alerting may key on them (see <see cref="EventIds"/>).</summary>
internal static partial class Log
{
    [LoggerMessage(EventIds.ConfigurationNotRun, LogLevel.Information, "{Source} configures no check instance to run: {Reason}")]
    public static partial void ConfigurationNotRun(ILogger logger, string source, string reason);

    [LoggerMessage(EventIds.PythonNotFinalized, LogLevel.Warning, "Python was not finalized within the shutdown timeout of {Timeout}: {Reason}. The interpreter is left as it is, refusing new work; the process can exit")]
    public static partial void PythonNotFinalized(ILogger logger, TimeSpan timeout, string reason);
}
