using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Grains;

/// <summary>
/// Owning a cluster check is having its activation: taken when the grain activates on this host's silo, released when
/// it deactivates (moved, stopped, or its silo shutting down). Orleans keeps at most one activation per grain; when a
/// silo dies, the next call from a sweep activates the grain elsewhere. Kept alive: idle collection would otherwise
/// deactivate it between sweeps.
/// </summary>
[RendezvousPlacement]
[KeepAlive]
internal sealed class ClusterCheckGrain(ClusterCheckPlacement placement) : Grain, IClusterCheckGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) => placement.TakeAsync(this.GetPrimaryKeyString(), GrainContext);

    // Completes once the scheduler here has unscheduled the instance: a move activates it elsewhere only after that.
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => placement.ReleaseAsync(this.GetPrimaryKeyString(), reason.ReasonCode, GrainContext);

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
