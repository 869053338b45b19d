using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using PyChecks.AspNetCore.Routing;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// The listener's limits on what comes before the body. The server's own limits are set several times higher and
/// these are enforced here, so that a request over them is refused with a JSON error (431, 414) like every other
/// refusal; only a request beyond the server's limits gets the server's bare answer, before any of PyChecks runs.
/// </summary>
internal static class RequestLimits
{
    /// <summary>All request headers together, each counted as name, value and 4 bytes (<c>": "</c> and CRLF).</summary>
    public const int HeadersTotalBytes = 16 * 1024;

    /// <summary>How many header lines a request may have.</summary>
    public const int HeaderCount = 50;

    /// <summary>The request target (path and query, as sent).</summary>
    public const int TargetBytes = 8 * 1024;

    /// <summary>The server's limit on all headers: beyond it, it answers a bare 431 itself.</summary>
    public const int ServerHeadersTotalBytes = 128 * 1024;

    /// <summary>The server's limit on header lines: beyond it, it answers a bare 431 itself.</summary>
    public const int ServerHeaderCount = 500;

    /// <summary>The server's limit on the request line: beyond it, it answers a bare 414 itself.</summary>
    public const int ServerRequestLineBytes = 64 * 1024;

    /// <summary>Sets the server's own limits, above the ones enforced here.</summary>
    public static void ApplyTo(KestrelServerLimits limits)
    {
        limits.MaxRequestHeadersTotalSize = ServerHeadersTotalBytes;
        limits.MaxRequestHeaderCount = ServerHeaderCount;
        limits.MaxRequestLineSize = ServerRequestLineBytes;
    }

    public static Task Enforce(HttpContext context, RequestDelegate next)
    {
        string target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        if (target.Length > TargetBytes)
        {
            return ControlApi.ErrorAsync(context, StatusCodes.Status414UriTooLong, JsonErrors.CodeOf(StatusCodes.Status414UriTooLong), $"the request target (path and query) is limited to {TargetBytes} bytes");
        }

        long total = 0;
        int lines = 0;
        foreach (var header in context.Request.Headers)
        {
            foreach (string? value in header.Value)
            {
                lines++;
                total += header.Key.Length + (value?.Length ?? 0) + 4;
            }
        }

        return total > HeadersTotalBytes || lines > HeaderCount
            ? ControlApi.ErrorAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, JsonErrors.CodeOf(StatusCodes.Status431RequestHeaderFieldsTooLarge), $"request headers are limited to {HeaderCount} lines and {HeadersTotalBytes} bytes in all")
            : next(context);
    }
}
