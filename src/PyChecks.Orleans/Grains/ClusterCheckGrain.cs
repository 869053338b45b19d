using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Grains;

/// <summary>
/// Owning a cluster check is having its activation: taken when the grain activates on this host's silo, released when
/// it deactivates (moved, stopped, or its silo shutting down). Orleans keeps at most one activation per grain; when a
/// silo dies, the next call from a sweep activates the grain elsewhere. Kept alive: idle collection would otherwise
/// deactivate it between sweeps. A graceful stop's migration carries the cut until which the host it leaves runs the
/// instance (<see cref="ClusterCheckOptions.HandOffLead"/>).
/// </summary>
[RendezvousPlacement]
[KeepAlive]
internal sealed class ClusterCheckGrain(ClusterCheckPlacement placement) : Grain, IClusterCheckGrain, IGrainMigrationParticipant
{
    private const string CutKey = "pychecks.cut";

    private DateTimeOffset? _notBefore;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => placement.TakeAsync(this.GetPrimaryKeyString(), GrainContext, _notBefore);

    // Completes once the scheduler here has unscheduled the instance: a move activates it elsewhere only after that.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => placement.ReleaseAsync(this.GetPrimaryKeyString(), reason.ReasonCode, GrainContext);

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        ArgumentNullException.ThrowIfNull(dehydrationContext);
        if (placement.HandOffCut(this.GetPrimaryKeyString()) is { } cut)
        {
            dehydrationContext.TryAddValue(CutKey, cut.UtcTicks);
        }
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        ArgumentNullException.ThrowIfNull(rehydrationContext);
        if (rehydrationContext.TryGetValue(CutKey, out long ticks))
        {
            _notBefore = new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public Task Ensure() => Task.CompletedTask;

    public Task<SiloAddress> Move()
    {
        // A host that runs it without this activation (one the directory lost) asks too: then it is where it belongs already.
        if (!placement.BelongsHere(this.GetPrimaryKeyString()))
        {
            this.MigrateOnIdle();
        }

        return Task.FromResult(GrainContext.Address.SiloAddress!); // an activation's address always has its silo
    }

    public Task Stop()
    {
        this.DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
