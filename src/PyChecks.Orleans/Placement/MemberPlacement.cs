using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace PyChecks.Orleans.Placement;

/// <summary>Places a grain keyed by a silo's address (<see cref="SiloAddress.ToParsableString"/>) on that silo, and nowhere else.</summary>
internal sealed class MemberPlacement : PlacementStrategy
{
}

/// <summary>Marks a grain class placed by <see cref="MemberPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class MemberPlacementAttribute() : PlacementAttribute(new MemberPlacement())
{
}

/// <summary>Puts the grain on the silo its key names, when that silo is active; fails the call otherwise.</summary>
internal sealed class MemberPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        var silo = SiloAddress.FromParsableString(key);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : Task.FromException<SiloAddress>(new OrleansException($"cluster member {key} is not active"));
    }
}
