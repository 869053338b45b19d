using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
        group.MapGet("/cluster", Guard(Access.Read, ClusterAsync));
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
            MemorySummary(),
            WorkerProcesses());
        return OkAsync(context, response, ApiJsonContext.Api.StatusResponse);
    }

    // The worker processes of Process mode; absent while no check runs in that mode.
    private List<WorkerProcessModel>? WorkerProcesses()
    {
        var workers = _services.GetService<CheckHost>()?.GetWorkerProcesses() ?? [];
        return workers.Count == 0
            ? null
            : [.. workers.Select(static w => new WorkerProcessModel(w.Slot, w.ProcessId, w.PythonVersion, w.StartedAt, w.Checks, w.Runs, w.Restarts, w.ResidentBytes, w.LastExit))];
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
}
