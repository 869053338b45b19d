using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PyChecks.AspNetCore.Json;
using PyChecks.AspNetCore.Recent;
using PyChecks.AspNetCore.Security;

namespace PyChecks.AspNetCore.Routing;

/// <summary>
/// The control API's routes and the guard every request passes: token, content type, body size, JSON syntax, and a
/// catch-all that turns any exception into a generic JSON 500 (details go to the log, never to the client).
/// </summary>
/// <remarks>
/// It reads the core's services from the host's provider on each request, not at construction: the API may be mapped
/// before the host starts, and resolving the scheduler would start Python.
/// </remarks>
internal sealed partial class ControlApi : IDisposable
{
    private const string JsonContentType = "application/json; charset=utf-8";

    private const string StuckCancelMessage =
        "the run is stuck in C code, where the interrupt cannot land: the cancel is pending and takes effect when the run returns " +
        "to Python. Until then it holds its Python worker; only restarting the host ends it (checks do not run in worker processes " +
        "that could be killed).";
    private static readonly TimeSpan MemoryReadingWait = TimeSpan.FromSeconds(2);
    private static readonly string LibraryVersion = typeof(CheckHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private readonly IServiceProvider _services;
    private readonly PyChecksApiOptions _options;
    private readonly RecentSamples _recent;
    private readonly ILogger _logger;
    private readonly Lazy<ApiToken> _token;
    private readonly DateTimeOffset _processStarted;

    public ControlApi(IServiceProvider services, IOptions<PyChecksApiOptions> options, RecentSamples recent)
    {
        _services = services;
        _options = options.Value;
        _recent = recent;
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("PyChecks.ControlApi");
        string? application = services.GetService<IHostEnvironment>()?.ApplicationName;
        _token = new Lazy<ApiToken>(() => CreateToken(application), LazyThreadSafetyMode.ExecutionAndPublication);
        using var process = Process.GetCurrentProcess();
        _processStarted = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }

    /// <summary>The token; created (and its file written) on first use, at the latest when the API is mapped.</summary>
    public ApiToken Token => _token.Value;

    /// <summary>Adds the routes under <paramref name="prefix"/> and returns their group.</summary>
    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        _ = Token;
        var group = endpoints.MapGroup(prefix);
        group.MapGet("/status", Guard(Access.Read, StatusAsync));
        group.MapGet("/checks", Guard(Access.Read, ChecksAsync));
        group.MapGet("/checks/{id}", Guard(Access.Read, CheckAsync));
        group.MapPost("/checks/{name}/run", Guard(Access.Write, RunAsync));
        group.MapPost("/checks/{id}/cancel", Guard(Access.Write, CancelAsync));
        group.MapPost("/reload", Guard(Access.Write, ReloadAsync));
        group.MapGet("/memory", Guard(Access.Read, MemoryAsync));
        group.MapGet("/metrics/recent", Guard(Access.Read, RecentAsync));
        group.MapPost("/profiles", Guard(Access.Write, StartProfileAsync));
        group.MapGet("/profiles", Guard(Access.Read, ProfilesAsync));
        group.MapGet("/profiles/{id}", Guard(Access.Read, ProfileAsync));
        group.MapGet("/profiles/{id}/result", Guard(Access.Read, ProfileResultAsync));
        group.MapDelete("/profiles/{id}", Guard(Access.Write, CancelProfileAsync));
        group.Map("/{**rest}", Guard(Access.None, UnmatchedAsync));
        return group;
    }

    public void Dispose()
    {
        if (_token.IsValueCreated)
        {
            _token.Value.Dispose();
        }
    }

    internal static Task ErrorAsync(HttpContext context, int status, string code, string message, string? field = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(new ErrorDetail(message, code, field)), ApiJsonContext.Api.ErrorResponse, JsonContentType, context.RequestAborted);
    }

    /// <summary>The 500 for any failure in the host: a generic message, never the exception (it goes to the log).</summary>
    internal static Task InternalErrorAsync(HttpContext context)
    {
        context.Response.Clear();
        return ErrorAsync(context, StatusCodes.Status500InternalServerError, "internal_error", "the request failed; the host's log has the details");
    }

    private static Task OkAsync<T>(HttpContext context, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return context.Response.WriteAsJsonAsync(value, type, JsonContentType, context.RequestAborted);
    }

    private static string? RouteValue(HttpContext context, string key)
    {
        string? value = context.GetRouteValue(key) as string;

        // The server leaves %2F encoded in the path, so that it cannot split segments; decode it for the look-up only.
        return value is not null && value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;
    }

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

    private Task StatusAsync(HttpContext context)
    {
        var runtime = _services.GetRequiredService<PythonRuntime>();
        var statuses = _services.GetRequiredService<ICheckStatusStore>();
        var options = _services.GetRequiredService<IOptions<PyChecksOptions>>().Value;
        var all = statuses.GetAll();
        var version = runtime.Version;
        var now = DateTimeOffset.UtcNow;
        var response = new StatusResponse(
            LibraryVersion,
            Environment.ProcessId,
            _processStarted,
            (now - _processStarted).TotalSeconds,
            new PythonInfo(version.ToString(), version.Implementation, version.LibraryPath, runtime.Location.Source, version.FullVersion),
            new SchedulerInfo(
                options.EnableScheduler,
                all.Select(static s => s.CheckName).Distinct(StringComparer.Ordinal).Count(),
                all.Count,
                all.Count(static s => s.State == CheckState.Running),
                all.Count(static s => s.State == CheckState.Stuck),
                all.Count(static s => s.State == CheckState.Stuck && s.StandInWorker),
                options.MaxStandInWorkers,
                statuses.LoadErrors),
            MemorySummary());
        return OkAsync(context, response, ApiJsonContext.Api.StatusResponse);
    }

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

    private async Task MemoryAsync(HttpContext context)
    {
        if (_services.GetService<MemoryTracker>() is not { } tracker)
        {
            await RefuseAsync(context, StatusCodes.Status501NotImplemented, "not_implemented", "no memory tracker is registered in this host").ConfigureAwait(false);
            return;
        }

        // A fresh Python reading needs the GIL; a check holding it in C must not hold the request: then the latest reading serves.
        MemorySnapshot snapshot;
        try
        {
            snapshot = await tracker.GetSnapshotAsync(context.RequestAborted).WaitAsync(MemoryReadingWait, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            snapshot = tracker.GetSnapshot();
        }

        await OkAsync(context, snapshot, ApiJsonContext.Api.MemorySnapshot).ConfigureAwait(false);
    }

    private MemorySummary? MemorySummary()
    {
        if (_services.GetService<MemoryTracker>() is not { } tracker)
        {
            return null;
        }

        var snapshot = tracker.GetSnapshot();
        return new MemorySummary(snapshot.Native.InUseBytes, snapshot.Native.Allocations, snapshot.Python?.AllocatedBlocks, snapshot.Python?.TracedBytes);
    }

    private Task RecentAsync(HttpContext context)
    {
        var query = context.Request.Query["check"];
        if (query.Count > 1)
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_query", "give the check parameter at most once");
        }

        string? check = query.Count == 1 ? query[0] : null;
        if (check is not null && !CheckNames.IsValidName(check))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_check_name", "not a check name: letters, digits, '_', '-' and single dots only");
        }

        var samples = _recent.Get(check);
        return OkAsync(context, new RecentResponse(check, _options.RecentSamplesPerCheck, _options.RecentSamplesTotal, [.. samples.Select(static s => s.ToModel())]), ApiJsonContext.Api.RecentResponse);
    }

    private Task UnmatchedAsync(HttpContext context)
    {
        string? allowed = RouteTable.AllowedMethod(context.GetRouteValue("rest") as string);
        if (allowed is null)
        {
            return RefuseAsync(context, StatusCodes.Status404NotFound, "not_found", "no such route");
        }

        context.Response.Headers.Allow = allowed;
        return RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "method_not_allowed", $"this route takes {allowed}");
    }

    /// <summary>What a route needs: nothing (the catch-all), the token when reads require it, the token always.</summary>
    private enum Access
    {
        None,
        Read,
        Write,
    }
}
