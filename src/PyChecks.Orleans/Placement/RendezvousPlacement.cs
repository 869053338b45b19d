using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace PyChecks.Orleans.Placement;

/// <summary>Places a cluster check's grain on the host that rendezvous hashing gives its check id to, among the active hosts.</summary>
internal sealed class RendezvousPlacement : PlacementStrategy
{
}

/// <summary>Marks a grain class placed by <see cref="RendezvousPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class RendezvousPlacementAttribute() : PlacementAttribute(new RendezvousPlacement())
{
}

/// <summary>
/// Picks, among the silos compatible with the grain, the one its key goes to (see <see cref="Rendezvous"/>): not one whose
/// host said it is leaving (<see cref="ClusterCheckPlacement.PeerLeaving"/>), nor, while this silo is leaving
/// (<see cref="ClusterCheckPlacement.Leaving"/>), this one.
/// </summary>
internal sealed class RendezvousPlacementDirector(ClusterCheckPlacement placement) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = placement.Shareable(context.GetCompatibleSilos(target));
        if (placement.Leaving && silos.Count > 1)
        {
            var local = context.LocalSilo;
            silos = [.. silos.Where(s => !s.Equals(local))];
        }

        string key = target.GrainIdentity.Key.ToString()!;
        return Task.FromResult(SiloFor(key, silos));
    }

    /// <summary>The silo that <paramref name="key"/> goes to among <paramref name="silos"/> (not empty).</summary>
    public static SiloAddress SiloFor(string key, IReadOnlyList<SiloAddress> silos) => Over(silos)(key);

    /// <summary>Where each key goes among <paramref name="silos"/> (not empty): the silos' names made once, for many keys.</summary>
    public static Func<string, SiloAddress> Over(IReadOnlyList<SiloAddress> silos)
    {
        string[] names = new string[silos.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = silos[i].ToParsableString();
        }

        return key => silos[Rendezvous.Pick(key, names)];
    }
}
