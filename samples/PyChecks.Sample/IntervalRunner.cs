using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyChecks.Sample;

/// <summary>
/// Starts Python, loads every configured check instance and runs each at its interval until the host stops.
/// </summary>
internal sealed partial class IntervalRunner(
    PyChecksOptions options,
    IEnumerable<ISender> senders,
    ILoggerFactory loggerFactory,
    IHostApplicationLifetime lifetime,
    ILogger<IntervalRunner> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        CheckHost host;
        try
        {
            host = CheckHost.Start(options, senders, loggerFactory);
        }
        catch (PythonRuntimeException e)
        {
            LogNoPython(e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        using (host)
        {
            LogPython(host.Runtime.Version.ToString(), host.Runtime.Location.LibraryPath, host.Runtime.Location.Source);
            var report = host.LoadConfiguredChecks();
            foreach (var error in report.Errors)
            {
                LogNotLoaded(error.Message);
            }

            try
            {
                await Task.WhenAll(report.Checks.Select(check => RunEveryIntervalAsync(check, stoppingToken)));
            }
            finally
            {
                foreach (var check in report.Checks)
                {
                    check.Dispose();
                }
            }
        }
    }

    private async Task RunEveryIntervalAsync(ICheck check, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(check.Interval);
        try
        {
            do
            {
                var result = await check.RunAsync(stoppingToken);
                if (!result.Succeeded)
                {
                    LogRunFailed(check.Id, result.Error, result.Traceback);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the host is stopping
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Python {Version} from {Library} (found by {Source})")]
    private partial void LogPython(string version, string library, string source);

    [LoggerMessage(2, LogLevel.Critical, "{Message}")]
    private partial void LogNoPython(string message);

    [LoggerMessage(3, LogLevel.Error, "Not loaded: {Message}")]
    private partial void LogNotLoaded(string message);

    [LoggerMessage(4, LogLevel.Warning, "{CheckId} failed: {Error}\n{Traceback}")]
    private partial void LogRunFailed(string checkId, string? error, string? traceback);
}
