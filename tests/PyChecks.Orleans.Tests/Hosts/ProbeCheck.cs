namespace PyChecks.Orleans.Tests.Hosts;

/// <summary>
/// A check the host provides (no Python): each run submits one gauge with its instance's tags (which name the host that
/// ran it) and reports itself to the host's senders with a <see cref="CheckRunSummary"/>, as a host's own checks do
/// (PyChecks hands an <see cref="ICheck"/> no sender).
/// </summary>
public sealed class ProbeCheck(CheckInstanceConfig config, IReadOnlyList<ISender> senders) : HostCheck(config)
{
    protected override void Run()
    {
        foreach (var sender in senders)
        {
            sender.SubmitMetric(new MetricSample { CheckId = Id, Type = MetricType.Gauge, Name = "probe.run", Value = 1, Tags = [.. Config.Tags], Hostname = string.Empty });
            sender.Commit(new CheckRunSummary { CheckId = Id, CheckName = Name, Succeeded = true, Metrics = 1, ServiceChecks = 0, Events = 0, HistogramBuckets = 0 });
        }
    }
}

/// <summary>Loads <see cref="ProbeCheck"/> for the check named <see cref="CheckName"/>.</summary>
public sealed class ProbeCheckLoader(IEnumerable<ISender> senders) : ICheckLoader
{
    public const string CheckName = "cluster_probe";

    private readonly ISender[] _senders = [.. senders];

    public string Name => "probe";

    public bool TryLoad(CheckInstanceConfig config, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ICheck? check, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        if (config.CheckName != CheckName)
        {
            (check, reason) = (null, "not a probe");
            return false;
        }

        (check, reason) = (new ProbeCheck(config, _senders), null);
        return true;
    }
}
