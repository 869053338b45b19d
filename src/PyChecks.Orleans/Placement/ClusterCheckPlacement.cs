using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PyChecks.Orleans.Placement;

/// <summary>
/// This host's answer to the scheduler (<see cref="CheckPlacement"/>): a node-local instance runs here as without a
/// cluster; a cluster check runs here while its grain is active on this host's silo. It also keeps what the dispatcher
/// shares out: the configured cluster checks, and a hash of them that hosts compare.
/// </summary>
internal sealed class ClusterCheckPlacement(IOptions<ClusterCheckOptions> options) : CheckPlacement
{
    private readonly ConcurrentDictionary<string, byte> _owned = new(StringComparer.Ordinal);
    private readonly ISet<string> _checkNames = options.Value.CheckNames;
    private volatile ClusterConfiguration _configuration = ClusterConfiguration.Empty;

    /// <summary>Raised after each reload of the configuration (under the scheduler's reload lock: handlers only signal).</summary>
    public event Action? Configured;

    /// <summary>The configured cluster checks and their hash, as of the last reload.</summary>
    public ClusterConfiguration Configuration => _configuration;

    /// <summary>The cluster checks whose grain is active on this host's silo.</summary>
    public ICollection<string> Owned => _owned.Keys;

    /// <summary>How many cluster checks this host owns.</summary>
    public int OwnedCount => _owned.Count;

    /// <summary>
    /// Set when this host's silo stops gracefully, before it hands its cluster checks over: from then on this silo places
    /// no grain on itself (<see cref="RendezvousPlacementDirector"/>), so that its grains migrate to the other silos.
    /// </summary>
    public bool Leaving
    {
        get => Volatile.Read(ref _leaving);
        set => Volatile.Write(ref _leaving, value);
    }

    private bool _leaving;

    public bool IsClusterCheck(CheckInstanceConfig instance) => instance.ClusterCheck || _checkNames.Contains(instance.CheckName);

    public override bool RunsHere(CheckInstanceConfig instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return !IsClusterCheck(instance) || _owned.ContainsKey(instance.CheckId);
    }

    /// <summary>
    /// A cluster check runs on a beat of its own, the same on every host (a phase within its interval taken from its check
    /// id, on the UTC clock): an instance that moves keeps its cadence, neither running twice in an interval nor skipping one.
    /// </summary>
    public override TimeSpan? FirstRunDelay(CheckInstanceConfig instance, TimeSpan interval, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return IsClusterCheck(instance) && interval > TimeSpan.Zero ? Beat(instance.CheckId, interval, now) : null;
    }

    /// <summary>The delay from <paramref name="now"/> to the next beat of <paramref name="checkId"/>.</summary>
    public static TimeSpan Beat(string checkId, TimeSpan interval, DateTimeOffset now)
    {
        long period = interval.Ticks;
        long phase = (long)(Rendezvous.Hash(checkId) % (ulong)period);
        long delay = (phase - (now.UtcTicks % period) + period) % period;
        return TimeSpan.FromTicks(delay);
    }

    public override void OnConfigured(IReadOnlyDictionary<string, CheckInstanceConfig> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        _configuration = ClusterConfiguration.Of([.. instances.Values.Where(IsClusterCheck).Select(static i => i.CheckId)]);
        Configured?.Invoke();
    }

    /// <summary>The grain of <paramref name="checkId"/> is active here: schedule it (completes once scheduled).</summary>
    public Task TakeAsync(string checkId)
    {
        _owned.TryAdd(checkId, 0);
        return NotifyChangedAsync([checkId]);
    }

    /// <summary>The grain of <paramref name="checkId"/> is leaving this host: unschedule it (completes once unscheduled).</summary>
    public Task ReleaseAsync(string checkId)
    {
        _owned.TryRemove(checkId, out _);
        return NotifyChangedAsync([checkId]);
    }
}

/// <summary>The configured cluster checks, in ordinal order, and a hash of them: equal on hosts that share one configuration.</summary>
internal sealed class ClusterConfiguration
{
    public static readonly ClusterConfiguration Empty = Of([]);

    private ClusterConfiguration(string[] checkIds, string hash) => (CheckIds, Hash) = (checkIds, hash);

    public IReadOnlyList<string> CheckIds { get; }

    /// <summary>16 hex digits of SHA-256 over the check ids (each covers its instance and <c>init_config</c>).</summary>
    public string Hash { get; }

    public static ClusterConfiguration Of(string[] checkIds)
    {
        Array.Sort(checkIds, StringComparer.Ordinal);
        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', checkIds)));
        return new ClusterConfiguration(checkIds, Convert.ToHexStringLower(digest, 0, 8));
    }
}
