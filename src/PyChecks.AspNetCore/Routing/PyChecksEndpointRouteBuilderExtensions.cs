using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PyChecks.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the PyChecks control API into an ASP.NET Core app.</summary>
public static class PyChecksEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the control API under <paramref name="prefix"/>: <c>GET status</c>, <c>GET checks</c>, <c>GET checks/{id}</c>,
    /// <c>POST checks/{name}/run</c>, <c>POST checks/{id}/cancel</c>, <c>POST reload</c>, <c>GET memory</c>,
    /// <c>GET metrics/recent</c>, <c>POST profiles</c>, <c>GET profiles</c>, <c>GET profiles/{id}</c>,
    /// <c>GET profiles/{id}/result</c>, <c>DELETE profiles/{id}</c>, and JSON 404/405 for anything else under the prefix. Requires
    /// <c>services.AddPyChecksControlApi(…)</c> (and <c>services.AddPyChecks(…)</c>). The token is created — and, when
    /// generated, written to its file — here.
    /// </summary>
    /// <remarks>
    /// The API enforces its own rules (token on mutations, JSON bodies, size limit); the returned builder adds the host's:
    /// <c>.RequireAuthorization(…)</c>, <c>.RequireRateLimiting(…)</c>, <c>.RequireHost(…)</c>. In a web app reachable
    /// from a network, add authorization and host filtering: the token alone protects only the mutating routes.
    /// </remarks>
    /// <param name="endpoints">The app's endpoint route builder.</param>
    /// <param name="prefix">The routes' prefix, e.g. <c>/pychecks</c>; empty for the root.</param>
    /// <returns>A convention builder for every route of the API.</returns>
    /// <exception cref="InvalidOperationException"><c>AddPyChecksControlApi</c> was not called.</exception>
    public static IEndpointConventionBuilder MapPyChecks(this IEndpointRouteBuilder endpoints, string prefix = "/pychecks")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var api = endpoints.ServiceProvider.GetService<ControlApi>()
            ?? throw new InvalidOperationException("MapPyChecks needs the control API's services: call services.AddPyChecksControlApi() (and services.AddPyChecks()) when building the host.");
        return api.Map(endpoints, prefix);
    }
}
