using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PyChecks;
using PyChecks.DependencyInjection;
using PyChecks.Scheduling;
using PyChecks.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds PyChecks to a service collection.</summary>
public static class PyChecksServiceCollectionExtensions
{
    /// <summary>
    /// Adds everything PyChecks needs to run Python checks in the host: the Python runtime (started when first
    /// needed: at host start), the check loaders, the scheduler (a hosted service running every configured check
    /// instance at its interval), the status store, the memory tracker, the answers of the <c>tagger</c>, <c>containers</c> and <c>kubeutil</c> modules (<see cref="ITagger"/>, <see cref="IContainerFilter"/>, <see cref="IKubeletConnection"/>: empty unless registered), the profiler (<see cref="IProfiler"/>), and telemetry. Options bind from the <c>"PyChecks"</c>
    /// configuration section when the host has an <c>IConfiguration</c>, then <paramref name="configure"/> applies,
    /// and they are validated when the host starts.
    /// </summary>
    /// <remarks>
    /// Every registration is a <c>TryAdd</c>: register your own implementation first to replace a part. Senders
    /// are ordinary registrations: <c>services.AddSingleton&lt;ISender, MySender&gt;()</c>, any number; so are extra
    /// <see cref="ICheckLoader"/>s, tried before the Python loader.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code; applied after configuration binding.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddPyChecks(this IServiceCollection services, Action<PyChecksOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<PyChecksOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<PyChecksOptions>, PyChecksConfigurationBinder>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PyChecksOptions>, PyChecksOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITagger>(EmptyAgentServices.Instance);
        services.TryAddSingleton<IContainerFilter>(EmptyAgentServices.Instance);
        services.TryAddSingleton<IKubeletConnection>(EmptyAgentServices.Instance);
        services.TryAddSingleton(static sp => CheckHost.Start(
            sp.GetRequiredService<IOptions<PyChecksOptions>>().Value,
            sp.GetServices<ISender>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            sp.GetServices<ICheckLoader>(),
            new AgentServices
            {
                Tagger = sp.GetRequiredService<ITagger>(),
                ContainerFilter = sp.GetRequiredService<IContainerFilter>(),
                Kubelet = sp.GetRequiredService<IKubeletConnection>(),
                MeterFactory = MeterFactory(sp),
            }));
        services.TryAddSingleton(static sp => sp.GetRequiredService<CheckHost>().Runtime);
        services.TryAddSingleton<FallbackMeterFactory>();
        services.TryAddSingleton(static sp =>
        {
            var router = sp.GetRequiredService<CheckHost>().Router;
            return new SchedulerTelemetry(MeterFactory(sp), () => router.SenderErrors);
        });
        services.TryAddSingleton(static sp => new MemoryTracker(MeterFactory(sp), sp.GetRequiredService<PythonRuntime>()));
        services.TryAddSingleton<CheckStatusStore>();
        services.TryAddSingleton<ICheckStatusStore>(static sp => sp.GetRequiredService<CheckStatusStore>());
        services.TryAddSingleton(static sp => new CheckScheduler(
            sp.GetRequiredService<CheckHost>(),
            sp.GetRequiredService<IOptions<PyChecksOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<CheckStatusStore>(),
            sp.GetRequiredService<SchedulerTelemetry>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<CheckScheduler>(),
            sp.GetService<CheckPlacement>()));
        services.TryAddSingleton<ICheckScheduler>(static sp => sp.GetRequiredService<CheckScheduler>());
        services.TryAddSingleton<IProfiler>(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<PyChecksOptions>>().Value;
            var scheduler = options.EnableScheduler ? sp.GetRequiredService<ICheckScheduler>() : null;
            return new Profiler(
                sp.GetRequiredService<PythonRuntime>(),
                options.Profiler,
                sp.GetRequiredService<TimeProvider>(),
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<Profiler>(),
                scheduler is null ? null : id => scheduler.Checks.Any(c => string.Equals(c.Id, id, StringComparison.Ordinal)),
                sp.GetRequiredService<CheckHost>().ProfileForwarder);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchedulerHostedService>());
        return services;
    }

    // Hosts register IMeterFactory (the Generic Host does); a bare service collection may not.
    private static IMeterFactory MeterFactory(IServiceProvider services) =>
        services.GetService<IMeterFactory>() ?? services.GetRequiredService<FallbackMeterFactory>();
}
