using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PyChecks;
using PyChecks.Orleans;
using PyChecks.Orleans.Dispatch;
using PyChecks.Orleans.Grains;
using PyChecks.Orleans.Placement;
using Orleans.Serialization;

namespace Orleans.Hosting;

/// <summary>Makes the hosts of an Orleans cluster share PyChecks' cluster checks.</summary>
public static class PyChecksClusterSiloBuilderExtensions
{
    /// <summary>
    /// Shares the cluster checks of this host's PyChecks configuration (<c>services.AddPyChecks(…)</c>, which this does not
    /// replace) with the other silos of the cluster: each cluster check runs on one host at a time, moves to another
    /// when its host leaves or dies, and the checks spread again when a host joins. Other instances run on every host.
    /// Options bind from the <c>"PyChecks:Cluster"</c> configuration section when the host has one, then
    /// <paramref name="configure"/> applies. Clustering itself (localhost, Redis, Kubernetes, …) is the silo's own
    /// configuration.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets options in code.</param>
    /// <returns>The silo builder, for chaining.</returns>
    public static ISiloBuilder AddPyChecksCluster(this ISiloBuilder builder, Action<ClusterCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<ClusterCheckOptions>().BindConfiguration(ClusterCheckOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o => o.SweepPeriod > TimeSpan.Zero && o.SweepConcurrency > 0 && o.PeerTimeout > TimeSpan.Zero, "PyChecks:Cluster: SweepPeriod, SweepConcurrency and PeerTimeout must be greater than 0")
            .Validate(static o => o.HandOffLead >= TimeSpan.Zero && o.HandOffLead < ClusterCheckDispatcher.HandOverTimeout, "PyChecks:Cluster: HandOffLead must be at least 0 and less than 10 s (a graceful stop hands over within 10 s)")
            .ValidateOnStart();

        services.TryAddSingleton<ClusterCheckPlacement>();
        services.TryAddSingleton<CheckPlacement>(static sp => sp.GetRequiredService<ClusterCheckPlacement>());
        services.TryAddSingleton<ClusterCheckDispatcher>();
        services.TryAddSingleton<ClusterPeers>();
        services.AddSingleton<ILifecycleParticipant<Runtime.ISiloLifecycle>>(static sp => sp.GetRequiredService<ClusterPeers>());
        services.AddSingleton<ILifecycleParticipant<Runtime.ISiloLifecycle>>(static sp => sp.GetRequiredService<ClusterCheckDispatcher>());
        services.AddSerializer(static s => s.AddAssembly(typeof(ClusterCheckGrain).Assembly));
        builder.AddPlacementDirector<RendezvousPlacement, RendezvousPlacementDirector>();
        builder.AddPlacementDirector<MemberPlacement, MemberPlacementDirector>();
        return builder;
    }
}
