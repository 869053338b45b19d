using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PyChecks.AspNetCore.Json;

namespace PyChecks.AspNetCore.Routing;

/// <summary>The routes over the configured checks: <c>/checks</c>, a check's run and cancel, and <c>/reload</c>.</summary>
internal sealed partial class ControlApi
{
    private const string StuckCancelMessage =
        "the run is stuck in C code, where the interrupt cannot land: the cancel is pending and takes effect when the run returns " +
        "to Python. Until then it holds its Python worker; only restarting the host ends it (checks do not run in worker processes " +
        "that could be killed).";

    private Task ChecksAsync(HttpContext context)
    {
        var statuses = _services.GetRequiredService<ICheckStatusStore>();
        return OkAsync(context, new ChecksResponse([.. statuses.GetAll().Select(static s => s.ToModel())], statuses.LoadErrors), ApiJsonContext.Api.ChecksResponse);
    }

    private Task CheckAsync(HttpContext context)
    {
        string? id = RouteValue(context, "id");
        if (!CheckNames.IsValidId(id))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_check_id", "not a check id");
        }

        return _services.GetRequiredService<ICheckStatusStore>().Find(id!) is { } status
            ? OkAsync(context, status.ToModel(), ApiJsonContext.Api.CheckStatusModel)
            : RefuseAsync(context, StatusCodes.Status404NotFound, "check_not_found", $"no check instance has the id {id}");
    }

    private async Task RunAsync(HttpContext context)
    {
        string? name = RouteValue(context, "name");
        if (!CheckNames.IsValidName(name))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_check_name", "not a check name: letters, digits, '_', '-' and single dots only").ConfigureAwait(false);
            return;
        }

        CheckRunReport? report;
        try
        {
            report = await _services.GetRequiredService<ICheckScheduler>().RunOnceAsync(name!, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CheckStuckException e)
        {
            await RefuseAsync(context, StatusCodes.Status409Conflict, "check_stuck", e.Message).ConfigureAwait(false);
            return;
        }

        if (report is null)
        {
            await UnknownCheckAsync(context, name!).ConfigureAwait(false);
            return;
        }

        await OkAsync(context, report.ToModel(), ApiJsonContext.Api.RunResponse).ConfigureAwait(false);
    }

    /// <summary>The 404 for a check name nothing configures, with the configured names close to it, if any.</summary>
    private Task UnknownCheckAsync(HttpContext context, string name)
    {
        // The scheduled checks, and (when the host is this container's) every configured one, loaded or not.
        var known = _services.GetRequiredService<ICheckStatusStore>().GetAll().Select(static s => s.CheckName)
            .Concat(_services.GetService<CheckHost>()?.GetConfiguredCheckNames() ?? []);
        var close = CheckNameSuggestions.For(name, known);
        string message = close.Count == 0
            ? $"no configured check is named {name}"
            : $"no configured check is named {name}; did you mean {string.Join(" or ", close)}?";
        Log.Refused(_logger, context.Request.Method, context.Request.Path, StatusCodes.Status404NotFound, "check_not_found");
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        var error = new ErrorResponse(new ErrorDetail(message, "check_not_found", Suggestions: close.Count == 0 ? null : close));
        return context.Response.WriteAsJsonAsync(error, ApiJsonContext.Api.ErrorResponse, JsonContentType, context.RequestAborted);
    }

    private Task CancelAsync(HttpContext context)
    {
        string? id = RouteValue(context, "id");
        if (!CheckNames.IsValidId(id))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_check_id", "not a check id");
        }

        if (_services.GetRequiredService<ICheckStatusStore>().Find(id!) is null)
        {
            return RefuseAsync(context, StatusCodes.Status404NotFound, "check_not_found", $"no check instance has the id {id}");
        }

        return _services.GetRequiredService<ICheckScheduler>().Cancel(id!) switch
        {
            CheckCancelResult.Interrupted => OkAsync(context, new CancelResponse(id!, Cancelled: true), ApiJsonContext.Api.CancelResponse),
            CheckCancelResult.Pending => AcceptedAsync(context, new CancelResponse(id!, Cancelled: false, Pending: true, StuckCancelMessage)),
            CheckCancelResult.NotFound => RefuseAsync(context, StatusCodes.Status404NotFound, "check_not_found", $"no check instance has the id {id}"),
            _ => RefuseAsync(context, StatusCodes.Status409Conflict, "not_running", $"check instance {id} has no run in progress"),
        };
    }

    private static Task AcceptedAsync(HttpContext context, CancelResponse response)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        return context.Response.WriteAsJsonAsync(response, ApiJsonContext.Api.CancelResponse, JsonContentType, context.RequestAborted);
    }

    private async Task ReloadAsync(HttpContext context)
    {
        var result = await _services.GetRequiredService<ICheckScheduler>().ReloadAsync(context.RequestAborted).ConfigureAwait(false);
        await OkAsync(context, result.ToModel(), ApiJsonContext.Api.ReloadResponse).ConfigureAwait(false);
    }
}
