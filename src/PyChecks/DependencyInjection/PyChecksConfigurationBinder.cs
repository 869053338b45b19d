using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PyChecks.Checks.Configuration;

namespace PyChecks.DependencyInjection;

/// <summary>Binds the <c>"PyChecks"</c> configuration section, when the host has an <see cref="IConfiguration"/>.</summary>
internal sealed class PyChecksConfigurationBinder(IServiceProvider services) : IConfigureOptions<PyChecksOptions>
{
    private const string AgentConfigSection = nameof(PyChecksOptions.AgentConfig);

    public void Configure(PyChecksOptions options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            var section = configuration.GetSection(PyChecksOptions.SectionName);
            section.Bind(options);
            BindAgentConfig(section.GetSection(AgentConfigSection), options.AgentConfig);
        }
    }

    /// <summary>
    /// <c>PyChecks:AgentConfig:&lt;key&gt;</c> sets an Agent key. Configuration values are strings, so each is typed as a
    /// plain YAML scalar would be (<c>true</c>, <c>8125</c>, <c>debug</c>); sections become mappings, and sections whose
    /// keys are 0, 1, … become lists (how JSON arrays and <c>__0</c> environment variables arrive).
    /// </summary>
    internal static void BindAgentConfig(IConfigurationSection section, AgentConfig config)
    {
        foreach (var child in section.GetChildren())
        {
            config.Values[child.Key] = ValueOf(child);
        }
    }

    private static object? ValueOf(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is { } text ? YamlScalarTyping.ResolvePlain(text) : null;
        }

        if (children.All(static c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return children.OrderBy(static c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(ValueOf).ToList();
        }

        return children.ToDictionary(static c => c.Key, ValueOf, StringComparer.Ordinal);
    }
}
