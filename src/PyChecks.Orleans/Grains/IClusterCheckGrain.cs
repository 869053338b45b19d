namespace PyChecks.Orleans.Grains;

/// <summary>
/// One cluster check instance, keyed by its check id. While its activation lives on a silo, that silo's host runs the
/// instance with its own scheduler and senders; the grain is never on a run's path.
/// </summary>
internal interface IClusterCheckGrain : IGrainWithStringKey
{
    /// <summary>Activates the grain if it is not active (on the host that rendezvous hashing gives it to).</summary>
    Task Ensure();

    /// <summary>
    /// Moves the grain to the host that rendezvous hashing now gives it to (after its calls in progress), unless it is
    /// there already.
    /// </summary>
    /// <returns>The silo of the activation that the call reached: the one Orleans' grain directory knows.</returns>
    Task<SiloAddress> Move();

    /// <summary>Deactivates the grain: the instance is no longer configured as a cluster check.</summary>
    Task Stop();
}
