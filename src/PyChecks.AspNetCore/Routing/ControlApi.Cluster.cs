using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PyChecks.AspNetCore.Json;

namespace PyChecks.AspNetCore.Routing;

/// <summary><c>GET /cluster</c>: the members of the cluster this host shares its cluster checks with (<c>PyChecks.Orleans</c>).</summary>
internal sealed partial class ControlApi
{
    private async Task ClusterAsync(HttpContext context)
    {
        var status = _services.GetService<CheckPlacement>() is { } placement
            ? await placement.GetClusterStatusAsync(context.RequestAborted).ConfigureAwait(false)
            : null;
        if (status is null)
        {
            await RefuseAsync(context, StatusCodes.Status404NotFound, "not_clustered", "this host shares no checks with a cluster (its silo does not call AddPyChecksCluster)").ConfigureAwait(false);
            return;
        }

        var response = new ClusterResponse(
            status.LocalMember,
            status.ClusterInstances,
            status.ConfigurationHash,
            status.ConfigurationMatches,
            status.Moves,
            status.Overlaps,
            [.. status.Members.Select(static m => new ClusterMemberModel(m.Name, m.Address, m.State, m.IsLocal, m.Error, m.Instances, m.ConfigurationHash, m.Arrived, m.MovedAway, m.Overlaps, m.LastSweep))]);
        await OkAsync(context, response, ApiJsonContext.Api.ClusterResponse).ConfigureAwait(false);
    }
}
