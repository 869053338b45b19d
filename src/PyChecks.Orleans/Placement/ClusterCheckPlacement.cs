using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyChecks.Orleans.Dispatch;

namespace PyChecks.Orleans.Placement;

/// <summary>
/// This host's answer to the scheduler (<see cref="CheckPlacement"/>): a node-local instance runs here as without a
/// cluster; a cluster check runs here while its grain is active on this host's silo. It also keeps what the dispatcher
/// shares out: the configured cluster checks, and a hash of them that hosts compare.
/// </summary>
internal sealed partial class ClusterCheckPlacement(IOptions<ClusterCheckOptions> options, IServiceProvider services, ILogger<ClusterCheckPlacement> logger) : CheckPlacement
{
    // Activations of each owned cluster check on this silo: one, but for a moment two when Orleans' directory, recovering
    // from a lost silo, activates a grain again beside its live activation here; the instance stays scheduled until the last leaves.
    private readonly ConcurrentDictionary<string, int> _owned = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _arrivals = new();

    // Cluster checks whose activation here Orleans dropped (its directory lost their entries with a dead silo): still
    // scheduled until the next sweep activates them again here (rendezvous hashing leaves a survivor's instances where
    // they are) or finds they belong elsewhere.
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);

    // Cluster checks whose activation Orleans dropped while, under the membership this host saw, they belonged to another
    // host: unscheduled at once, and activated there by the sweep that the drop starts (see TakeReleased).
    private readonly ConcurrentDictionary<string, byte> _released = new(StringComparer.Ordinal);

    // The latest activation of each owned cluster check here, to end one that the grain directory does not know.
    private readonly ConcurrentDictionary<string, IGrainContext> _activations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IGrainContext, byte> _disowned = new(ReferenceEqualityComparer.Instance);

    // Other hosts that said they are leaving (a graceful stop), with when: no cluster check goes to them from then on.
    private readonly ConcurrentDictionary<SiloAddress, long> _leavingPeers = new();
    private readonly TimeSpan _handOffLead = options.Value.HandOffLead;
    private readonly ISet<string> _checkNames = options.Value.CheckNames;
    private readonly string? _hostTag = string.IsNullOrEmpty(options.Value.HostTagName) ? null : options.Value.HostTagName;
    private volatile ClusterConfiguration _configuration = ClusterConfiguration.Empty;
    private string[]? _tags;
    private long _arrived;
    private long _movedAway;
    private long _drops;

    /// <summary>Raised after each reload of the configuration (under the scheduler's reload lock: handlers only signal).</summary>
    public event Action? Configured;

    /// <summary>
    /// Raised when the activation of a cluster check ended for another reason than a move, a stop or the silo's shutdown
    /// (Orleans' directory lost its entry with a dead silo, for instance): a sweep activates it again at once where it belongs.
    /// </summary>
    public event Action? Dropped;

    /// <summary>Raised when a cluster check starts running here (handlers only signal).</summary>
    public event Action? Arrived;

    /// <summary>The configured cluster checks and their hash, as of the last reload.</summary>
    public ClusterConfiguration Configuration => _configuration;

    /// <summary>The cluster checks whose grain is active on this host's silo (a copy: see <see cref="IsOwned"/>).</summary>
    public ICollection<string> Owned => _owned.Keys;

    /// <summary>
    /// The cluster checks whose grain is active here, each with its latest activation (null for one taken without an
    /// activation), as of now.
    /// </summary>
    public List<(string CheckId, IGrainContext? Activation)> OwnedActivations() =>
        [.. _owned.Keys.Select(id => (id, _activations.TryGetValue(id, out var activation) ? activation : null))];

    /// <summary>Whether the grain of <paramref name="checkId"/> is active here.</summary>
    public bool IsOwned(string checkId) => _owned.ContainsKey(checkId);

    /// <summary>How many cluster checks this host owns.</summary>
    public int OwnedCount => _owned.Count;

    /// <summary>Cluster checks that started running here since the silo started.</summary>
    public long ArrivedCount => Interlocked.Read(ref _arrived);

    /// <summary>Cluster checks that left this host for another (moved, or handed over at a graceful stop).</summary>
    public long MovedAwayCount => Interlocked.Read(ref _movedAway);

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
        return !IsClusterCheck(instance) || _owned.ContainsKey(instance.CheckId) || _dropped.ContainsKey(instance.CheckId) || _handingOff.ContainsKey(instance.CheckId);
    }

    /// <summary>A cluster check's samples carry <c>&lt;HostTagName&gt;:&lt;silo name&gt;</c>: the host that ran them.</summary>
    public override IReadOnlyList<string> TagsFor(CheckInstanceConfig instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (_hostTag is null || !IsClusterCheck(instance))
        {
            return [];
        }

        return _tags ??= [$"{_hostTag}:{services.GetRequiredService<ILocalSiloDetails>().Name}"];
    }

    public override Task<ClusterStatus?> GetClusterStatusAsync(CancellationToken cancellationToken = default) =>
        services.GetRequiredService<ClusterPeers>().GetStatusAsync(cancellationToken)!;

    /// <summary>
    /// A cluster check runs on a beat of its own, the same on every host (a phase within its interval taken from its check
    /// id, on the UTC clock): an instance that moves keeps its cadence, neither running twice in an interval nor skipping one.
    /// One handed over with a cut runs from its first beat at or after the cut.
    /// </summary>
    public override TimeSpan? FirstRunDelay(CheckInstanceConfig instance, TimeSpan interval, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return IsClusterCheck(instance) ? FirstBeat(instance.CheckId, interval, now) : null;
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

    /// <summary>
    /// The grain of <paramref name="checkId"/> is active here (<paramref name="activation"/>, when an activation calls):
    /// schedule it (completes once scheduled). <paramref name="notBefore"/>: the cut until which the host that handed it
    /// over runs it; it runs here from its first beat at or after that.
    /// </summary>
    public Task TakeAsync(string checkId, IGrainContext? activation = null, DateTimeOffset? notBefore = null)
    {
        if (activation is not null)
        {
            _activations[checkId] = activation;
        }

        if (_owned.AddOrUpdate(checkId, 1, static (_, n) => n + 1) > 1)
        {
            return Task.CompletedTask; // a second activation here: the instance already runs
        }

        if (_dropped.TryRemove(checkId, out _))
        {
            return Task.CompletedTask; // back after a drop: it never stopped running here
        }

        if (TryTakeBack(checkId, out var applied))
        {
            return applied;
        }

        if (notBefore is { } cut)
        {
            _notBefore[checkId] = cut;
        }

        Interlocked.Increment(ref _arrived);
        _arrivals.Enqueue(checkId);
        Arrived?.Invoke();
        return NotifyChangedAsync([checkId]);
    }

    /// <summary>
    /// An activation of <paramref name="checkId"/> is leaving this host, for <paramref name="reason"/>: unschedule the
    /// instance once its last one has (completes once unscheduled).
    /// </summary>
    public Task ReleaseAsync(string checkId, DeactivationReasonCode reason, IGrainContext? activation = null)
    {
        if (activation is not null)
        {
            if (_disowned.TryRemove(activation, out _))
            {
                return Task.CompletedTask; // released already (see ReleaseUnknownActivationAsync)
            }

            _activations.TryRemove(new KeyValuePair<string, IGrainContext>(checkId, activation));
        }

        while (_owned.TryGetValue(checkId, out int n))
        {
            if (n > 1 ? _owned.TryUpdate(checkId, n - 1, n) : _owned.TryRemove(new KeyValuePair<string, int>(checkId, n)))
            {
                if (n > 1)
                {
                    return Task.CompletedTask;
                }

                if (reason is not (DeactivationReasonCode.ApplicationRequested or DeactivationReasonCode.Migrating or DeactivationReasonCode.ShuttingDown))
                {
                    if (!BelongsHere(checkId))
                    {
                        // Another host's now: running it on until a sweep would run it beside that host's activation.
                        return ReleaseDroppedAsync(checkId, reason);
                    }

                    // Not a decision of the cluster's, and still this host's: keep running it until a sweep activates it again.
                    _dropped[checkId] = Interlocked.Increment(ref _drops);
                    Log.Dropped(logger, checkId, reason);
                    Dropped?.Invoke();
                    return Task.CompletedTask;
                }

                if (reason != DeactivationReasonCode.ApplicationRequested)
                {
                    Interlocked.Increment(ref _movedAway); // a stop (no longer configured) is not a move
                }

                return HandsOffWithCut(reason) ? HandOffAsync(checkId) : NotifyChangedAsync([checkId]);
            }
        }

        return Task.CompletedTask;
    }

    // Unschedules a dropped cluster check that belongs to another host, then starts the sweep that activates it there.
    private async Task ReleaseDroppedAsync(string checkId, DeactivationReasonCode reason)
    {
        Log.DroppedElsewhere(logger, checkId, reason);
        Interlocked.Increment(ref _movedAway);
        await NotifyChangedAsync([checkId]).ConfigureAwait(false);
        _released[checkId] = 0;
        Dropped?.Invoke();
    }

    /// <summary>
    /// A move of <paramref name="checkId"/> reached its activation on another silo: the one here is not the one Orleans'
    /// grain directory knows (the directory lost its entry, and no call reaches it). Stops the instance here and ends that
    /// activation, instead of running it beside the other for as long as the host lives.
    /// </summary>
    /// <returns>Completes once unscheduled (at once when it did not run here).</returns>
    public async Task ReleaseUnknownActivationAsync(string checkId)
    {
        if (!_owned.TryRemove(checkId, out _))
        {
            return;
        }

        Log.UnknownActivation(logger, checkId);
        Interlocked.Increment(ref _movedAway);
        if (_activations.TryRemove(checkId, out var activation))
        {
            _disowned[activation] = 0; // its own release, later, must not touch a new activation's count
            activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "the grain directory knows another activation of this cluster check"));
        }

        await NotifyChangedAsync([checkId]).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether rendezvous hashing over the silos that share the cluster checks, as this host sees them now
    /// (<see cref="SharedAmong"/>), gives <paramref name="checkId"/> to this host: never once it is <see cref="Leaving"/>;
    /// while this silo is not active itself yet, it keeps what it has.
    /// </summary>
    public bool BelongsHere(string checkId)
    {
        if (Leaving)
        {
            return false;
        }

        var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var silos = SharedAmong(services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot);
        return !silos.Contains(self) || RendezvousPlacementDirector.SiloFor(checkId, silos).Equals(self);
    }

    /// <summary>
    /// Another host said that it is leaving (its graceful stop hands its cluster checks over): until it has left, none
    /// goes to it, and none that it hands over is moved back to it.
    /// </summary>
    public void PeerLeaving(SiloAddress silo) => _leavingPeers[silo] = Environment.TickCount64;

    /// <summary>
    /// The silos that share the cluster checks: the active members of <paramref name="snapshot"/> but the hosts that said
    /// they are leaving (all of them if every one did). A host that said so but is still active a minute later counts again.
    /// </summary>
    public List<SiloAddress> SharedAmong(ClusterMembershipSnapshot snapshot) => Shareable(ActiveSilos.Of(snapshot));

    /// <summary><paramref name="silos"/> but the hosts that said they are leaving (all of them if every one did).</summary>
    public List<SiloAddress> Shareable(IReadOnlyCollection<SiloAddress> silos)
    {
        if (_leavingPeers.IsEmpty)
        {
            return [.. silos];
        }

        long now = Environment.TickCount64;
        foreach (var (silo, at) in _leavingPeers)
        {
            if (now - at > LeavingPeerExpiry)
            {
                _leavingPeers.TryRemove(new KeyValuePair<SiloAddress, long>(silo, at));
            }
        }

        var staying = silos.Where(s => !_leavingPeers.ContainsKey(s)).ToList();
        return staying.Count > 0 ? staying : [.. silos];
    }

    // How long a host that said it is leaving is kept out while it is still active (its stop failed, say): a minute.
    private const long LeavingPeerExpiry = 60_000;

    /// <summary>Takes the cluster checks released at a drop since the last call: a sweep activates them where they belong.</summary>
    public List<string> TakeReleased()
    {
        var released = new List<string>();
        foreach (string id in _released.Keys)
        {
            if (_released.TryRemove(id, out _))
            {
                released.Add(id);
            }
        }

        return released;
    }

    /// <summary>
    /// Another host says that these cluster checks arrived there: those that run here only because their activation was
    /// dropped (no activation here) stop here now, instead of at this host's next sweep.
    /// </summary>
    /// <returns>Those it stopped, once unscheduled: each ran on two hosts until then (an overlap).</returns>
    public async Task<List<string>> YieldDroppedAsync(IReadOnlyCollection<string> arrivedElsewhere)
    {
        var yielded = arrivedElsewhere.Where(id => !_owned.ContainsKey(id) && _dropped.TryRemove(id, out _)).ToList();
        if (yielded.Count > 0)
        {
            Interlocked.Add(ref _movedAway, yielded.Count);
            await NotifyChangedAsync(yielded).ConfigureAwait(false);
        }

        return yielded;
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.Dropped, LogLevel.Information, "The activation of cluster check {CheckId} ended ({Reason}); it runs here until a sweep activates it again where it belongs")]
        public static partial void Dropped(ILogger logger, string checkId, DeactivationReasonCode reason);

        [LoggerMessage(ClusterEventIds.UnknownActivation, LogLevel.Warning, "Cluster check {CheckId} ran here on an activation that Orleans' grain directory does not know (it knows one on another host); it stopped here")]
        public static partial void UnknownActivation(ILogger logger, string checkId);

        [LoggerMessage(ClusterEventIds.DroppedElsewhere, LogLevel.Information, "The activation of cluster check {CheckId} ended ({Reason}) and it belongs to another host now; it stopped here, and a sweep activates it there")]
        public static partial void DroppedElsewhere(ILogger logger, string checkId, DeactivationReasonCode reason);
    }

    /// <summary>Marks the drops so far: a sweep that starts now settles those (see <see cref="SettleDroppedAsync"/>).</summary>
    public long DropMark => Interlocked.Read(ref _drops);

    /// <summary>
    /// After a sweep: stops the cluster checks dropped before it started (<paramref name="mark"/>) that it did not activate
    /// here again (they belong elsewhere now), but those whose activation it could not make sure of
    /// (<paramref name="unsure"/>), left to the next sweep.
    /// </summary>
    /// <returns>The cluster checks it stopped here, once unscheduled.</returns>
    public async Task<List<string>> SettleDroppedAsync(long mark, IReadOnlySet<string> unsure)
    {
        var gone = _dropped.Where(d => d.Value <= mark && !_owned.ContainsKey(d.Key) && !unsure.Contains(d.Key) && _dropped.TryRemove(d)).Select(static d => d.Key).ToList();
        if (gone.Count > 0)
        {
            Interlocked.Add(ref _movedAway, gone.Count);
            await NotifyChangedAsync(gone).ConfigureAwait(false);
        }

        return gone;
    }

    /// <summary>Takes the cluster checks that arrived here since the last call (those still here).</summary>
    public List<string> TakeArrivals()
    {
        var arrivals = new List<string>();
        while (_arrivals.TryDequeue(out string? id))
        {
            if (_owned.ContainsKey(id))
            {
                arrivals.Add(id);
            }
        }

        return arrivals;
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
