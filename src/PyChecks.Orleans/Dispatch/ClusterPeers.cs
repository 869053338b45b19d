using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyChecks.Orleans.Grains;
using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Dispatch;

/// <summary>
/// What this host knows of the others: after each sweep and whenever cluster checks arrive here, it tells every other
/// active host its configuration's hash and the instances that just arrived, through their member grains; each answers
/// with its own hash and which of those instances it still runs. A different hash is a host that reads another
/// configuration (logged, and counted in <c>pychecks.cluster.configuration_mismatches</c>); an instance that the other
/// still runs is an overlap (logged, and counted in <c>pychecks.cluster.overlaps</c>). The same exchange, asked of every
/// member at once, is the cluster's status (<see cref="GetStatusAsync"/>).
/// </summary>
/// <remarks>
/// An overlap is seen only while it lasts: one shorter than the time from an instance's arrival to the exchange (a
/// quarter of a second, plus the calls) is not counted.
/// </remarks>
internal sealed partial class ClusterPeers : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(250);

    private readonly ClusterCheckPlacement _placement;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _local;
    private readonly IGrainFactory _grains;
    private readonly ClusterCheckOptions _options;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _overlapCounter;
    private readonly SignalledLoop _exchanges;
    private readonly ConcurrentDictionary<string, PeerView> _peers = new(StringComparer.Ordinal);
    private long _overlaps;
    private long _lastSweepTicks;

    public ClusterPeers(ClusterCheckPlacement placement, IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains, IOptions<ClusterCheckOptions> options, ILogger<ClusterPeers> logger, IMeterFactory? meters = null)
    {
        _placement = placement;
        _membership = membership;
        _local = local;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        _meter = meters?.Create(PyChecksTelemetry.MeterName) ?? new Meter(PyChecksTelemetry.MeterName);
        _overlapCounter = _meter.CreateCounter<long>("pychecks.cluster.overlaps", "{instance}", "Cluster check instances found running on this host and another at once");
        _meter.CreateObservableGauge("pychecks.cluster.instances", () => _placement.OwnedCount, "{instance}", "Cluster check instances running on this host");
        _meter.CreateObservableCounter("pychecks.cluster.arrivals", () => _placement.ArrivedCount, "{instance}", "Cluster check instances that started running on this host");
        _meter.CreateObservableCounter("pychecks.cluster.departures", () => _placement.MovedAwayCount, "{instance}", "Cluster check instances that left this host for another");
        _meter.CreateObservableGauge("pychecks.cluster.configuration_mismatches", () => Mismatches().Count, "{host}", "Active hosts whose cluster checks differ from this host's");
        _exchanges = new SignalledLoop(_options.SweepPeriod, Gather, ExchangeAsync, e => Log.ExchangeFailed(_logger, e));
        _placement.Arrived += Signal;
        _placement.Configured += Signal;
    }

    /// <summary>Overlaps this host found so far.</summary>
    public long Overlaps => Interlocked.Read(ref _overlaps);

    /// <summary>When this host last swept its share (see <see cref="ClusterCheckDispatcher"/>).</summary>
    public DateTimeOffset? LastSweep => Interlocked.Read(ref _lastSweepTicks) is long ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private string LocalName => _local.Name;

    private string LocalAddress => _local.SiloAddress.ToParsableString();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterPeers), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        _placement.Arrived -= Signal;
        _placement.Configured -= Signal;
        _exchanges.Dispose();
        _meter.Dispose();
    }

    /// <summary>The dispatcher swept: remember when, and exchange with the others.</summary>
    public void Swept()
    {
        Interlocked.Exchange(ref _lastSweepTicks, DateTimeOffset.UtcNow.UtcTicks);
        Signal();
    }

    /// <summary>
    /// Another host's exchange (on its member grain here): note what it says, and answer. An instance that arrived there
    /// and runs here only because Orleans dropped its activation here stops here now (the asker counts it as an overlap).
    /// </summary>
    public async Task<MemberReport> AnswerAsync(MemberQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var configuration = _placement.Configuration;
        Observe(query.Address, query.Name, query.ConfigurationHash, query.ClusterInstances, configuration);
        if (query.Arrived.Length == 0)
        {
            return Report(configuration, []);
        }

        var runningToo = query.Arrived.Where(_placement.IsOwned).ToList();
        runningToo.AddRange(await _placement.YieldDroppedAsync(query.Arrived).ConfigureAwait(false));
        return Report(configuration, [.. runningToo]);
    }

    /// <summary>Another host says, through its call to this host's member grain, that it is leaving.</summary>
    public void PeerLeaving(string address) => _placement.PeerLeaving(SiloAddress.FromParsableString(address));

    /// <summary>
    /// Tells every other active host that this one is leaving (a graceful stop), each within
    /// <see cref="ClusterCheckOptions.PeerTimeout"/>; one that does not answer is logged.
    /// </summary>
    public async Task AnnounceLeavingAsync(CancellationToken cancellationToken)
    {
        string self = LocalAddress;
        var others = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && m.SiloAddress.ToParsableString() != self)
            .ToList();
        await Task.WhenAll(others.Select(async m =>
        {
            string address = m.SiloAddress.ToParsableString();
            try
            {
                await _grains.GetGrain<IClusterMemberGrain>(address).Leaving(self).WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.PeerUnreachable(_logger, m.Name ?? address, e.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>The cluster's state: this host's figures, and every other member's answer (or why it is missing).</summary>
    public async Task<ClusterStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var configuration = _placement.Configuration;
        string self = LocalAddress;
        var members = _membership.CurrentSnapshot.Members.Values
            .Where(static m => m.Status is not SiloStatus.Dead and not SiloStatus.None)
            .OrderBy(static m => m.Name, StringComparer.Ordinal)
            .ToList();
        var query = Query(configuration, []);
        var answers = await Task.WhenAll(members.Select(async m =>
        {
            string address = m.SiloAddress.ToParsableString();
            if (address == self)
            {
                return (Member: m, Report: Report(configuration, []), Error: (string?)null);
            }

            try
            {
                var report = await _grains.GetGrain<IClusterMemberGrain>(address).Exchange(query).WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
                Observe(address, report.Name, report.ConfigurationHash, report.ClusterInstances, configuration);
                return (Member: m, Report: report, Error: null);
            }
            catch (TimeoutException)
            {
                return (Member: m, Report: (MemberReport?)null, Error: $"no answer within {_options.PeerTimeout.TotalSeconds:0.###} s");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (Member: m, Report: (MemberReport?)null, Error: e.Message);
            }
        })).ConfigureAwait(false);

        return new ClusterStatus
        {
            LocalMember = LocalName,
            ClusterInstances = configuration.CheckIds.Count,
            ConfigurationHash = configuration.Hash,
            ConfigurationMatches = answers.All(a => a.Report is null || a.Report.ConfigurationHash == configuration.Hash),
            Moves = answers.Sum(static a => a.Report?.MovedAway ?? 0),
            Overlaps = answers.Sum(static a => a.Report?.Overlaps ?? 0),
            Members = [.. answers.Select(a => new ClusterMemberStatus
            {
                Name = a.Member.Name ?? a.Member.SiloAddress.ToString(),
                Address = a.Member.SiloAddress.ToString(),
                State = StateName(a.Member.Status),
                IsLocal = a.Member.SiloAddress.ToParsableString() == self,
                Error = a.Error,
                Instances = a.Report?.Instances,
                ConfigurationHash = a.Report?.ConfigurationHash,
                Arrived = a.Report?.Arrived,
                MovedAway = a.Report?.MovedAway,
                Overlaps = a.Report?.Overlaps,
                LastSweep = a.Report?.LastSweep,
            })],
        };
    }

    /// <summary>The active hosts whose last known configuration differs from this host's, by address.</summary>
    internal List<PeerView> Mismatches()
    {
        string hash = _placement.Configuration.Hash;
        var active = _membership.CurrentSnapshot.Members.Values.Where(static m => m.Status == SiloStatus.Active).Select(static m => m.SiloAddress.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        return [.. _peers.Where(p => active.Contains(p.Key) && p.Value.ConfigurationHash != hash).Select(static p => p.Value)];
    }

    private static string StateName(SiloStatus status) => status switch
    {
        SiloStatus.Active => "active",
        SiloStatus.Joining => "joining",
        SiloStatus.Created => "created",
        SiloStatus.ShuttingDown => "shutting_down",
        SiloStatus.Stopping => "stopping",
        SiloStatus.Dead => "dead",
        _ => status.ToString().ToLowerInvariant(),
    };

    private MemberQuery Query(ClusterConfiguration configuration, string[] arrived) =>
        new(LocalName, LocalAddress, configuration.Hash, configuration.CheckIds.Count, arrived);

    private MemberReport Report(ClusterConfiguration configuration, string[] runningToo) =>
        new(LocalName, configuration.Hash, configuration.CheckIds.Count, _placement.OwnedCount, _placement.ArrivedCount, _placement.MovedAwayCount, Overlaps, LastSweep, runningToo);

    // Notes another host's configuration; logs when it starts or stops differing from this host's.
    private void Observe(string address, string name, string hash, int instances, ClusterConfiguration configuration)
    {
        var now = new PeerView(name, hash, instances);
        var before = _peers.GetValueOrDefault(address);
        _peers[address] = now;
        bool differs = hash != configuration.Hash;
        bool differed = before is not null && before.ConfigurationHash != configuration.Hash;
        if (differs && (before is null || before.ConfigurationHash != hash))
        {
            Log.ConfigurationDiffers(_logger, name, hash, instances, configuration.Hash, configuration.CheckIds.Count);
        }
        else if (!differs && differed)
        {
            Log.ConfigurationMatches(_logger, name, hash);
        }
    }

    private void Signal() => _exchanges.Signal();

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _exchanges.Start();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _exchanges.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the host's stop ran out of time.
        }
    }

    /// <summary>One exchange with every other active host: configurations compared, arrivals checked for overlaps.</summary>
    internal async Task ExchangeAsync(CancellationToken cancellationToken)
    {
        string self = LocalAddress;
        var others = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && m.SiloAddress.ToParsableString() != self)
            .ToList();
        var arrived = _placement.TakeArrivals();
        if (others.Count == 0)
        {
            return;
        }

        var configuration = _placement.Configuration;
        var query = Query(configuration, [.. arrived]);
        await Task.WhenAll(others.Select(async m =>
        {
            string address = m.SiloAddress.ToParsableString();
            MemberReport report;
            try
            {
                report = await _grains.GetGrain<IClusterMemberGrain>(address).Exchange(query).WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Leaving, or not yet declared dead: the next exchange tries again.
                Log.PeerUnreachable(_logger, m.Name ?? address, e.Message);
                return;
            }

            Observe(address, report.Name, report.ConfigurationHash, report.ClusterInstances, configuration);
            var both = report.RunningToo.Where(_placement.IsOwned).ToList();
            if (both.Count > 0)
            {
                Interlocked.Add(ref _overlaps, both.Count);
                _overlapCounter.Add(both.Count);
                Log.Overlap(_logger, both.Count, report.Name, string.Join(", ", both.Take(5)));
            }
        })).ConfigureAwait(false);
    }

    /// <summary>What this host last heard of another.</summary>
    internal sealed record PeerView(string Name, string ConfigurationHash, int ClusterInstances);

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.ConfigurationDiffers, LogLevel.Warning, "Host {Peer} reads other cluster checks than this host: {PeerInstances} instance(s) with hash {PeerHash}, against {Instances} with hash {Hash} here; the hosts share out different sets of instances until every host reads the same configuration")]
        public static partial void ConfigurationDiffers(ILogger logger, string peer, string peerHash, int peerInstances, string hash, int instances);

        [LoggerMessage(ClusterEventIds.ConfigurationMatches, LogLevel.Information, "Host {Peer} now reads the same cluster checks as this host (hash {Hash})")]
        public static partial void ConfigurationMatches(ILogger logger, string peer, string hash);

        [LoggerMessage(ClusterEventIds.Overlap, LogLevel.Warning, "{Count} cluster check instance(s) started here while host {Peer} still ran them (an overlap, counted in pychecks.cluster.overlaps): {Examples}")]
        public static partial void Overlap(ILogger logger, int count, string peer, string examples);

        [LoggerMessage(ClusterEventIds.PeerUnreachable, LogLevel.Debug, "Host {Peer} did not answer this host's exchange: {Reason}")]
        public static partial void PeerUnreachable(ILogger logger, string peer, string reason);

        [LoggerMessage(ClusterEventIds.ExchangeFailed, LogLevel.Warning, "An exchange with the other hosts failed; the next one tries again")]
        public static partial void ExchangeFailed(ILogger logger, Exception exception);
    }
}
