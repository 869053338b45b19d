using System.Diagnostics.Metrics;

namespace PyChecks.Telemetry;

/// <summary>
/// The meter factory used when the host registered no <see cref="IMeterFactory"/> (a bare service collection; the
/// Generic Host registers one): it creates each meter once and disposes them with the container.
/// </summary>
internal sealed class FallbackMeterFactory : IMeterFactory
{
    private readonly Dictionary<string, Meter> _meters = new(StringComparer.Ordinal);

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_meters)
        {
            if (!_meters.TryGetValue(options.Name, out var meter))
            {
                _meters[options.Name] = meter = new Meter(options.Name, options.Version);
            }

            return meter;
        }
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
