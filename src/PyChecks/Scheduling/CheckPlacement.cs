namespace PyChecks;

/// <summary>
/// Decides which of the configured check instances this host runs, for hosts that share one configuration (cluster
/// checks, see <c>PyChecks.Orleans</c>). Without one, every configured instance runs here. Register an implementation
/// in the service collection (<c>services.AddSingleton&lt;CheckPlacement, MyPlacement&gt;()</c>); the scheduler takes it
/// when it starts.
/// </summary>
/// <remarks>
/// The scheduler asks <see cref="RunsHere"/> for every configured instance at each reload, and again for the
/// instances that <see cref="NotifyChangedAsync"/> names; never on a run's path, so a placement adds nothing to a run.
/// An instance that stops running here is unscheduled after its current run, as a reload removes it.
/// </remarks>
public abstract class CheckPlacement
{
    private Func<IReadOnlyCollection<string>, Task>? _changed;

    /// <summary>
    /// Whether this host runs <paramref name="instance"/> now. Called under the scheduler's reload lock: it must answer
    /// at once, from what the placement already knows (no I/O, no waiting).
    /// </summary>
    /// <param name="instance">A configured instance.</param>
    /// <returns><see langword="true"/> to schedule it here.</returns>
    public abstract bool RunsHere(CheckInstanceConfig instance);

    /// <summary>
    /// Told every configured instance after each reload, whether it runs here or not: what the placement shares out.
    /// Called under the scheduler's reload lock: start any work it needs in the background and return.
    /// </summary>
    /// <param name="instances">The configured instances, by check id.</param>
    public virtual void OnConfigured(IReadOnlyDictionary<string, CheckInstanceConfig> instances)
    {
    }

    /// <summary>
    /// When the first run of an instance that starts running here is due, from <paramref name="now"/>; <see langword="null"/>
    /// (the default) for the scheduler's usual random start within <see cref="PyChecksOptions.MaxStartJitter"/>. A
    /// placement that moves instances between hosts can keep each instance's runs on the same beat wherever it runs.
    /// </summary>
    /// <param name="instance">The instance being scheduled.</param>
    /// <param name="interval">Its interval.</param>
    /// <param name="now">The scheduler's clock.</param>
    /// <returns>
    /// The delay before the first run (zero or more: within <paramref name="interval"/>, or later for an instance that
    /// another host runs until some moment, see <see cref="RunsUntil"/>); or <see langword="null"/>.
    /// </returns>
    public virtual TimeSpan? FirstRunDelay(CheckInstanceConfig instance, TimeSpan interval, DateTimeOffset now) => null;

    /// <summary>
    /// For an instance that runs here (<see cref="RunsHere"/>) only until a moment, as it moves to another host that runs
    /// it from then on: that moment. Its runs due at or after it do not start here, however late the placement tells the
    /// scheduler that it no longer runs here, so that no run is due on both hosts. <see langword="null"/> (the default)
    /// for no such moment. Asked with <see cref="RunsHere"/>, under the same rules.
    /// </summary>
    /// <param name="instance">An instance that runs here.</param>
    /// <returns>The moment from which its runs do not start here; or <see langword="null"/>.</returns>
    public virtual DateTimeOffset? RunsUntil(CheckInstanceConfig instance) => null;

    /// <summary>
    /// Called once when the scheduler starts stopping (the host's stop): from then on no run starts here, so a placement
    /// that hands instances over must not count on this host running them until some moment.
    /// </summary>
    public virtual void OnStopping()
    {
    }

    /// <summary>
    /// Tags added, after its configured ones, to every sample of an instance while it runs here (none by default): a
    /// placement that moves instances between hosts can name the host that ran each sample. Asked when the instance is
    /// scheduled here; the instance's <see cref="CheckInstanceConfig.Tags"/> as its check sees them include them.
    /// </summary>
    /// <param name="instance">The instance being scheduled.</param>
    /// <returns>The tags to add; empty for none.</returns>
    public virtual IReadOnlyList<string> TagsFor(CheckInstanceConfig instance) => [];

    /// <summary>
    /// The state of the cluster this host shares its instances with, for the control API's <c>GET /cluster</c> and
    /// status views; <see langword="null"/> (the default) when the placement is not a cluster's.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting for the other hosts' answers.</param>
    /// <returns>The cluster's state, as this host sees it now.</returns>
    public virtual Task<ClusterStatus?> GetClusterStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult<ClusterStatus?>(null);

    /// <summary>
    /// Tells the scheduler that <see cref="RunsHere"/> may answer differently now for these instances: in the background,
    /// it asks again, schedules those that now run here and unschedules those that no longer do (a run in progress
    /// ends first). Ids that are not configured are ignored; so are calls before the scheduler starts (its first reload
    /// asks about every instance) or after it stops.
    /// </summary>
    /// <param name="checkIds">Check ids (<see cref="CheckInstanceConfig.CheckId"/>).</param>
    /// <returns>Completes once the scheduler has applied the change (at once when no scheduler is attached).</returns>
    protected Task NotifyChangedAsync(IReadOnlyCollection<string> checkIds)
    {
        ArgumentNullException.ThrowIfNull(checkIds);
        return Volatile.Read(ref _changed)?.Invoke(checkIds) ?? Task.CompletedTask;
    }

    /// <summary>Connects the scheduler that <see cref="NotifyChangedAsync"/> tells.</summary>
    internal void Attach(Func<IReadOnlyCollection<string>, Task> changed) => Volatile.Write(ref _changed, changed);
}
