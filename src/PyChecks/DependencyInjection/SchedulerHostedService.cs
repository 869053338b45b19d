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

    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<CheckHost>();

        // The memory instruments are published from the start, not from the first time someone asks.
        services.GetService<MemoryTracker>();
        if (!options.Value.EnableScheduler)
        {
            return Task.CompletedTask;
        }

        _scheduler = services.GetRequiredService<CheckScheduler>();
        return _scheduler.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _scheduler?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
