using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PyChecks.DependencyInjection;

/// <summary>Binds the <c>"PyChecks"</c> configuration section, when the host has an <see cref="IConfiguration"/>.</summary>
internal sealed class PyChecksConfigurationBinder(IServiceProvider services) : IConfigureOptions<PyChecksOptions>
{
    public void Configure(PyChecksOptions options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            configuration.GetSection(PyChecksOptions.SectionName).Bind(options);
        }
    }
}
