using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using PyChecks.AspNetCore.Routing;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// The listener's outermost handler: whatever fails outside the API's own guard ends as a generic JSON 500, and an error
/// that some part of the server pipeline answered without a body (routing, a method it cannot map) gets the JSON error
/// body every other refusal has.
/// </summary>
internal static class JsonErrors
{
    public static Func<HttpContext, RequestDelegate, Task> Create(ILogger logger) => async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Log.RequestFailed(logger, context.Request.Method, context.Request.Path, e);
            await ControlApi.InternalErrorAsync(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= StatusCodes.Status400BadRequest && response.ContentType is null && response.ContentLength is null or 0)
        {
            int status = response.StatusCode;
            response.ContentLength = null;
            await ControlApi.ErrorAsync(context, status, CodeOf(status), MessageOf(status)).ConfigureAwait(false);
        }
    };

    /// <summary>The error code for a status no route chose: the codes the API uses elsewhere, else <c>http_&lt;status&gt;</c>.</summary>
    internal static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status414UriTooLong => "uri_too_long",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "request_headers_too_large",
        StatusCodes.Status500InternalServerError => "internal_error",
        _ => $"http_{status}",
    };

    private static string MessageOf(int status)
    {
        string reason = ReasonPhrases.GetReasonPhrase(status);
        return reason.Length == 0 ? $"the request was refused with status {status}" : $"the request was refused: {reason.ToLowerInvariant()}";
    }
}
