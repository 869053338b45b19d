using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyChecks.Scheduling;

namespace PyChecks.DependencyInjection;

/// <summary>
/// Starts and stops the scheduler with the host, unless <see cref="PyChecksOptions.EnableScheduler"/> is off; then it
/// only starts Python, so that a host with no schedule still fails fast when Python cannot be found.
/// </summary>
internal sealed class SchedulerHostedService(IServiceProvider services, IOptions<PyChecksOptions> options) : IHostedService
{
    private CheckScheduler? _scheduler;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.EnableScheduler)
        {
            services.GetRequiredService<CheckHost>();
            return Task.CompletedTask;
        }

        _scheduler = services.GetRequiredService<CheckScheduler>();
        return _scheduler.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _scheduler?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
