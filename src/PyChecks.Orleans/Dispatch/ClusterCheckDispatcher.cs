using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyChecks.Orleans.Grains;
using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Dispatch;

/// <summary>
/// Keeps this host's share of the cluster checks active: at every change of membership, after every reload, and every
/// <see cref="ClusterCheckOptions.SweepPeriod"/>, it activates the grains that rendezvous hashing gives to this silo
/// (among the active silos), moves the grains it holds that now go to another, and stops those no longer configured.
/// Each host sweeps only its own share, so a sweep costs one grain call per instance per host count.
/// </summary>
internal sealed partial class ClusterCheckDispatcher : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ClusterCheckPlacement _placement;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _local;
    private readonly IGrainFactory _grains;
    private readonly ClusterCheckOptions _options;
    private readonly ILogger _logger;
    private readonly ClusterPeers _peers;
    private readonly SignalledLoop _sweeper;
    private CancellationTokenSource? _stopping;
    private Task _watch = Task.CompletedTask;

    public ClusterCheckDispatcher(ClusterCheckPlacement placement, IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains, IOptions<ClusterCheckOptions> options, ClusterPeers peers, ILogger<ClusterCheckDispatcher> logger)
    {
        _placement = placement;
        _membership = membership;
        _local = local;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        _peers = peers;
        _sweeper = new SignalledLoop(_options.SweepPeriod, TimeSpan.Zero, SweepAsync, e => Log.SweepFailed(_logger, e));
        _placement.Configured += Signal;
        _placement.Dropped += Signal;
        _placement.Arrived += SweepSoon;
    }

    private int _followUp;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterCheckDispatcher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        _placement.Configured -= Signal;
        _placement.Dropped -= Signal;
        _placement.Arrived -= SweepSoon;
        _stopping?.Dispose();
        _sweeper.Dispose();
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _watch = Task.Run(() => WatchMembershipAsync(token), CancellationToken.None);
        _sweeper.Start();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sweeper.StopAsync(cancellationToken).ConfigureAwait(false);
            await _watch.WaitAsync(cancellationToken).ConfigureAwait(false);
            await HandOverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the host's stop ran out of time (Orleans deactivates the rest).
        }
    }

    /// <summary>
    /// A graceful stop hands this host's cluster checks over before its silo leaves: each grain migrates to the silo that
    /// rendezvous hashing gives it among the others, which takes it on its next beat, moments after this host released it.
    /// Without it, the silo's shutdown would deactivate them and the others would activate them only at a later sweep.
    /// </summary>
    /// <remarks>
    /// The stop waits until every migration has completed (the new activation registered where it went), not only until
    /// this host released the instances: the silo announces that it is shutting down only after this stage, and a
    /// migration still under way then can stall until the host's shutdown timeout, its instance running nowhere meanwhile.
    /// It also waits for each instance's cut (<see cref="ClusterCheckOptions.HandOffLead"/>): it runs here until then.
    /// </remarks>
    private async Task HandOverAsync(CancellationToken cancellationToken)
    {
        _placement.Leaving = true;
        var owned = _placement.OwnedActivations();
        if (owned.Count == 0 || ActiveSilos.Of(_membership.CurrentSnapshot).Count < 2)
        {
            return; // the last silo: nothing to hand over to
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();

        // First the others learn that this host is leaving: else one that receives an instance would move it back here at
        // its next sweep (this silo is still active for them until its stop announces it, after this stage).
        await _peers.AnnounceLeavingAsync(cancellationToken).ConfigureAwait(false);
        int failed = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.SweepConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(owned, parallel, async (entry, _) =>
        {
            try
            {
                await _grains.GetGrain<IClusterCheckGrain>(entry.CheckId).Move().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
        }).ConfigureAwait(false);

        // Migration happens once each grain is idle, and completes once the target has registered its new activation: wait
        // for both, within a bound (the silo's own shutdown deactivates the rest).
        var migrations = owned.Where(static o => o.Activation is not null).Select(static o => o.Activation!.Deactivated).ToList();
        await WithinAsync(Task.WhenAll(migrations), clock, cancellationToken).ConfigureAwait(false);
        while (_placement.OwnedCount > 0 && clock.Elapsed < HandOverTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }

        double migrated = clock.Elapsed.TotalMilliseconds;
        await WithinAsync(_placement.HandOffsCompleted(), clock, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        int moving = migrations.Count(static t => !t.IsCompleted);
        Log.HandedOver(_logger, owned.Count - _placement.OwnedCount, owned.Count, clock.Elapsed.TotalMilliseconds, migrated, failed, moving);
    }

    private static async Task WithinAsync(Task task, System.Diagnostics.Stopwatch clock, CancellationToken cancellationToken)
    {
        var remaining = HandOverTimeout - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await task.WaitAsync(remaining, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>How soon a sweep that moved instances is followed by another.</summary>
    private static readonly TimeSpan FollowUp = TimeSpan.FromSeconds(1);

    /// <summary>How long a graceful stop waits for this host's cluster checks to migrate to the other silos.</summary>
    internal static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(10);

    // A migration completes later, and lands where placement says at that moment (the membership it saw may be older than
    // this sweep's): after a move, and when an instance arrives here, look again shortly, not only at the next period.
    private void SweepSoon()
    {
        if (Interlocked.Exchange(ref _followUp, 1) == 0)
        {
            _ = Task.Delay(FollowUp).ContinueWith(
                _ =>
                {
                    Volatile.Write(ref _followUp, 0);
                    Signal();
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }
    }

    private void Signal() => _sweeper.Signal();

    private async Task WatchMembershipAsync(CancellationToken cancellationToken)
    {
        try
        {
            var active = new HashSet<SiloAddress>();
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                // Updates come with every change of the membership table (liveness reports too): only a change of the active silos counts.
                var now = ActiveSilos.Of(snapshot).ToHashSet();
                if (!now.SetEquals(active))
                {
                    active = now;
                    Signal();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep over the configured cluster checks and the grains this host holds.</summary>
    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        var snapshot = _membership.CurrentSnapshot;
        var silos = _placement.SharedAmong(snapshot);
        var self = _local.SiloAddress;
        if (!silos.Contains(self))
        {
            return; // joining or leaving: the others share the checks out without this silo
        }

        long dropMark = _placement.DropMark;
        var configuration = _placement.Configuration;
        var configured = new HashSet<string>(configuration.CheckIds, StringComparer.Ordinal);
        // Those whose grain is active here already need no call: in a steady cluster a sweep calls nothing.
        var owner = RendezvousPlacementDirector.Over(silos);
        var ensure = configuration.CheckIds.Where(id => !_placement.IsOwned(id) && owner(id).Equals(self)).ToList();
        var active = ActiveSilos.Of(snapshot);
        if (active.Count > silos.Count)
        {
            // A host that said it is leaving hands its instances over itself: activating one here meanwhile would only race
            // its migration. The sweep at its departure activates here what it did not hand over.
            var wasOwner = RendezvousPlacementDirector.Over(active);
            ensure.RemoveAll(id => !silos.Contains(wasOwner(id)));
        }

        var move = new List<string>();
        var stop = new List<string>();
        foreach (string id in _placement.Owned)
        {
            if (!configured.Contains(id))
            {
                stop.Add(id);
            }
            else if (!owner(id).Equals(self))
            {
                move.Add(id);
            }
        }

        int failed = 0;
        var unsure = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.SweepConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ensure.Select(id => (Id: id, Action: 0)).Concat(move.Select(id => (Id: id, Action: 1))).Concat(stop.Select(id => (Id: id, Action: 2))), parallel, async (item, _) =>
        {
            var grain = _grains.GetGrain<IClusterCheckGrain>(item.Id);
            try
            {
                if (item.Action == 1)
                {
                    // The call reached an activation on another silo: the one here is unknown to the directory (see the placement).
                    var at = await grain.Move().WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
                    if (!at.Equals(self))
                    {
                        await _placement.ReleaseUnknownActivationAsync(item.Id).ConfigureAwait(false);
                    }
                }
                else
                {
                    await (item.Action == 0 ? grain.Ensure() : grain.Stop()).WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A grain still registered on a silo not yet declared dead does not answer (Orleans' own timeout is 30 s): a
                // follow-up sweep tries again shortly.
                Interlocked.Increment(ref failed);
                unsure.TryAdd(item.Id, 0);
            }
        }).ConfigureAwait(false);

        // Dropped here and not back: they belong to another host now, whose next sweep would activate them; activate them now.
        var gone = await _placement.SettleDroppedAsync(dropMark, unsure.Keys.ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        gone.AddRange(_placement.TakeReleased()); // released at their drop (another host's): activate them there too
        await Parallel.ForEachAsync(gone, parallel, async (id, _) =>
        {
            try
            {
                await _grains.GetGrain<IClusterCheckGrain>(id).Ensure().WaitAsync(_options.PeerTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed); // its host's own sweep activates it
            }
        }).ConfigureAwait(false);
        _peers.Swept();
        if (move.Count + gone.Count + failed > 0)
        {
            SweepSoon();
        }

        Log.Swept(_logger, silos.Count, ensure.Count, move.Count, stop.Count, failed, _placement.OwnedCount, configuration.Hash);
    }

    private static partial class Log
    {
        [LoggerMessage(ClusterEventIds.Swept, LogLevel.Debug, "Cluster checks swept over {Silos} active silo(s): {Ensured} ensured here, {Moved} moved away, {Stopped} stopped, {Failed} call(s) failed; {Owned} owned here (configuration {Hash})")]
        public static partial void Swept(ILogger logger, int silos, int ensured, int moved, int stopped, int failed, int owned, string hash);

        [LoggerMessage(ClusterEventIds.SweepFailed, LogLevel.Warning, "A sweep of the cluster checks failed; the next one tries again")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(ClusterEventIds.HandedOver, LogLevel.Information, "Stopping: handed {HandedOver} of {Owned} cluster check(s) over to the other silos in {Milliseconds:0} ms, migrated in {MigratedMilliseconds:0} ms ({Failed} call(s) failed, {Moving} migration(s) not completed)")]
        public static partial void HandedOver(ILogger logger, int handedOver, int owned, double milliseconds, double migratedMilliseconds, int failed, int moving);
    }
}
