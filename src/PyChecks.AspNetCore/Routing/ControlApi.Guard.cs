using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using PyChecks.AspNetCore.Json;
using PyChecks.AspNetCore.Security;

namespace PyChecks.AspNetCore.Routing;

/// <summary>
/// The guard every request passes: worker processes refused, the token, the JSON body rules and size limit, and the catch-all that turns an
/// exception into a generic JSON 500.
/// </summary>
internal sealed partial class ControlApi
{
    private string UnauthorizedMessage(string? authorization)
    {
        string where = Token.FilePath is null
            ? "the token the host was configured with (PyChecks:Api:Token)"
            : $"the token the host wrote to {Token.FilePath} at start";
        return string.IsNullOrEmpty(authorization)
            ? $"this request needs the control API token: send the header 'Authorization: Bearer <token>' with {where}"
            : $"the Authorization header was not accepted: send 'Authorization: Bearer <token>' with {where}";
    }

    private ApiToken CreateToken(string? application)
    {
        var token = ApiToken.Create(_options, application);
        if (token.FilePath is not null)
        {
            Log.TokenWritten(_logger, token.FilePath);
        }

        return token;
    }

    private RequestDelegate Guard(Access access, Func<HttpContext, Task> handler) => async context =>
    {
        try
        {
            // A check in a worker process runs code the host did not write: it may not drive the host, token or not.
            if (WorkerPeers.IsWorker(context, _services.GetService<CheckHost>()?.GetWorkerProcesses() ?? []))
            {
                await RefuseAsync(context, StatusCodes.Status403Forbidden, "forbidden", "the control API does not serve worker processes or the processes they start").ConfigureAwait(false);
                return;
            }

            if ((access == Access.Write || (access == Access.Read && _options.RequireTokenForReads)) && !Token.Matches(context.Request.Headers.Authorization))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await RefuseAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", UnauthorizedMessage(context.Request.Headers.Authorization)).ConfigureAwait(false);
                return;
            }

            if (access == Access.Write && !await CheckBodyAsync(context).ConfigureAwait(false))
            {
                return;
            }

            await handler(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // The server's own refusal while reading the request (body over its limit, connection cut, bad framing).
            if (!context.Response.HasStarted)
            {
                await RefuseAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "payload_too_large" : "bad_request", "the request could not be read").ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            Log.RequestFailed(_logger, context.Request.Method, context.Request.Path, e);
            if (!context.Response.HasStarted)
            {
                await InternalErrorAsync(context).ConfigureAwait(false);
            }
        }
    };

    private Task RefuseAsync(HttpContext context, int status, string code, string message, string? field = null)
    {
        Log.Refused(_logger, context.Request.Method, context.Request.Path, status, code);
        return ErrorAsync(context, status, code, message, field);
    }

    /// <summary>
    /// A body is optional; when there is one it must be <c>application/json</c> (415), within the size limit (413), and
    /// a JSON object with no member given twice (400). Routes that read members find the object in <c>HttpContext.Items</c> under <see cref="RequestBodyKey"/>.
    /// </summary>
    private async Task<bool> CheckBodyAsync(HttpContext context)
    {
        var request = context.Request;
        bool hasBody = request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "request bodies must be JSON: Content-Type: application/json").ConfigureAwait(false);
            return false;
        }

        int limit = _options.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"request bodies are limited to {limit} bytes").ConfigureAwait(false);
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            int length = 0;
            int read;
            while (length <= limit && (read = await request.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > limit)
            {
                await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"request bodies are limited to {limit} bytes").ConfigureAwait(false);
                return false;
            }

            try
            {
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_body", "the request body must be a JSON object").ConfigureAwait(false);
                    return false;
                }

                if (DuplicateMembers.Find(document.RootElement) is var (name, path))
                {
                    await RefuseAsync(context, StatusCodes.Status400BadRequest, "duplicate_member", $"the request body gives the member '{name}' more than once (at {path}): give each member once", name).ConfigureAwait(false);
                    return false;
                }

                // Kept for the routes that read members (POST /profiles).
                context.Items[RequestBodyKey] = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                await RefuseAsync(context, StatusCodes.Status400BadRequest, "malformed_json", "the request body is not valid JSON").ConfigureAwait(false);
                return false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return true;
    }

    /// <summary>What a route needs: nothing (the catch-all), the token when reads require it, the token always.</summary>
    private enum Access
    {
        None,
        Read,
        Write,
    }
}
