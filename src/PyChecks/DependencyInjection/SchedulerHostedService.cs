using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyChecks.Scheduling;

namespace PyChecks.DependencyInjection;

/// <summary>
/// Starts Python and the memory tracker with the host, so that a host fails fast when Python cannot be found, then
/// starts and stops the scheduler unless <see cref="PyChecksOptions.EnableScheduler"/> is off.
/// </summary>
internal sealed class SchedulerHostedService(IServiceProvider services, IOptions<PyChecksOptions> options) : IHostedService
{
    private CheckScheduler? _scheduler;
    private CheckHost? _host;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _host = services.GetRequiredService<CheckHost>();

        // The memory instruments are published from the start, not from the first time someone asks.
        services.GetService<MemoryTracker>();
        if (!options.Value.EnableScheduler)
        {
            return Task.CompletedTask;
        }

        _scheduler = services.GetRequiredService<CheckScheduler>();
        return _scheduler.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_scheduler is not null)
            {
                await _scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // One shutdown timeout for the whole stop: once the host's has run out (a run stuck in C kept the scheduler
            // waiting), Python's shutdown, when the container disposes the host, must not wait a budget of its own again.
            if (cancellationToken.IsCancellationRequested)
            {
                _host?.Runtime.LimitShutdown(TimeSpan.Zero);
            }
        }
    }
}
