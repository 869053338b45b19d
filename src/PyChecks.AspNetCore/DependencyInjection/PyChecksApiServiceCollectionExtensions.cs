using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PyChecks;
using PyChecks.AspNetCore.DependencyInjection;
using PyChecks.AspNetCore.Listener;
using PyChecks.AspNetCore.Recent;
using PyChecks.AspNetCore.Routing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the PyChecks control API to a service collection.</summary>
public static class PyChecksApiServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services behind <c>app.MapPyChecks(…)</c>: the API itself, its token, and the sender that keeps the
    /// latest samples for <c>GET /metrics/recent</c>. Use it in an ASP.NET Core app, together with
    /// <c>services.AddPyChecks(…)</c>. Options bind from <c>"PyChecks:Api"</c>, then <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code; applied after configuration binding.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddPyChecksControlApi(this IServiceCollection services, Action<PyChecksApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions<PyChecksApiOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<PyChecksApiOptions>, BindApiOptions>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<PyChecksApiOptions>, PyChecksApiOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PyChecksApiOptions>, PyChecksApiOptionsValidator>());
        if (services.Any(static d => d.ServiceType == typeof(ControlApi)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<PyChecksApiOptions>>().Value;
            return new RecentSamples(sp.GetRequiredService<TimeProvider>(), options.RecentSamplesPerCheck, options.RecentSamplesTotal);
        });
        services.AddSingleton<ISender>(static sp => sp.GetRequiredService<RecentSamples>());
        services.AddSingleton<ControlApi>();
        return services;
    }

    /// <summary>
    /// Adds the control API with a listener of its own, for hosts that are not web apps: once the host has started, a
    /// Kestrel server serves the API's routes at its root on a Unix domain socket (by default
    /// <c>$XDG_RUNTIME_DIR/pychecks/&lt;application&gt;.sock</c>, mode 0600), or on a loopback TCP port when
    /// <see cref="PyChecksApiOptions.TcpPort"/> is set. It never listens on another address unless
    /// <see cref="PyChecksApiOptions.AllowNonLoopbackAddress"/> is set. Where it listens is in the log and in the
    /// <see cref="PyChecksLocalApi"/> service.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code; applied after configuration binding.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddPyChecksLocalApi(this IServiceCollection services, Action<PyChecksApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddPyChecksControlApi(configure);
        services.TryAddSingleton<PyChecksLocalApi>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LocalApiServer>());
        return services;
    }

    /// <summary>Binds the options from <c>"PyChecks:Api"</c> when the host has an <see cref="IConfiguration"/>.</summary>
    private sealed class BindApiOptions(IServiceProvider services) : IConfigureOptions<PyChecksApiOptions>
    {
        public void Configure(PyChecksApiOptions options)
        {
            if (services.GetService<IConfiguration>() is { } configuration)
            {
                configuration.GetSection(PyChecksApiOptions.SectionName).Bind(options);
            }
        }
    }
}
