using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PyChecks.AspNetCore.Json;

namespace PyChecks.AspNetCore.Routing;

// The /profiles routes serve the core's profiler, which is experimental (PYCHECKS001): these routes change with it.
#pragma warning disable PYCHECKS001

/// <summary>The profiling routes: <c>/profiles</c>, over the host's <see cref="IProfiler"/>.</summary>
internal sealed partial class ControlApi
{
    /// <summary>The <c>HttpContext.Items</c> key of a mutating request's JSON object body, once the guard has checked it.</summary>
    internal const string RequestBodyKey = "PyChecks.RequestBody";

    // The request members, by wire name: the core's field each maps to, and its kind.
    private static readonly Dictionary<string, (string Field, bool Integer)> ProfileMembers = new(StringComparer.Ordinal)
    {
        ["durationSeconds"] = (nameof(ProfileRequest.Duration), false),
        ["intervalSeconds"] = (nameof(ProfileRequest.Interval), false),
        ["maxDepth"] = (nameof(ProfileRequest.MaxDepth), true),
        ["minRunDurationSeconds"] = (nameof(ProfileRequest.MinRunDuration), false),
        ["maxRuns"] = (nameof(ProfileRequest.MaxRuns), true),
    };

    private async Task StartProfileAsync(HttpContext context)
    {
        if (_services.GetService<IProfiler>() is not { } profiler)
        {
            await RefuseAsync(context, StatusCodes.Status501NotImplemented, "not_implemented", "no profiler is registered in this host").ConfigureAwait(false);
            return;
        }

        if (!TryReadProfileRequest(context, out var request, out string? problem, out string? member))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_profile_request", problem!, member).ConfigureAwait(false);
            return;
        }

        ProfileTask task;
        try
        {
            task = await profiler.StartAsync(request!, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ProfileRequestException e)
        {
            var (status, code) = e.Error switch
            {
                ProfileRequestError.Conflict => (StatusCodes.Status409Conflict, "profile_conflict"),
                ProfileRequestError.TooManyTasks => (StatusCodes.Status429TooManyRequests, "too_many_profiles"),
                ProfileRequestError.UnknownCheck => (StatusCodes.Status404NotFound, "check_not_found"),
                _ => (StatusCodes.Status400BadRequest, "invalid_profile_request"),
            };
            string? field = WireName(e.Field);
            await RefuseAsync(context, status, code, field is null ? e.Message : $"{field}: {e.Message}", field).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}/{task.Id}";
        await context.Response.WriteAsJsonAsync(task.ToModel(), ApiJsonContext.Api.ProfileTaskModel, JsonContentType, context.RequestAborted).ConfigureAwait(false);
    }

    private Task ProfilesAsync(HttpContext context) =>
        _services.GetService<IProfiler>() is { } profiler
            ? OkAsync(context, new ProfilesResponse([.. profiler.ListTasks().Select(static t => t.ToModel())]), ApiJsonContext.Api.ProfilesResponse)
            : RefuseAsync(context, StatusCodes.Status501NotImplemented, "not_implemented", "no profiler is registered in this host");

    private Task ProfileAsync(HttpContext context) =>
        WithProfileAsync(context, (profiler, id) => profiler.GetTask(id) is { } task
            ? OkAsync(context, task.ToModel(), ApiJsonContext.Api.ProfileTaskModel)
            : null);

    private Task CancelProfileAsync(HttpContext context) =>
        WithProfileAsync(context, (profiler, id) => profiler.Cancel(id) is { } task
            ? OkAsync(context, task.ToModel(), ApiJsonContext.Api.ProfileTaskModel)
            : null);

    private Task ProfileResultAsync(HttpContext context) => WithProfileAsync(context, (profiler, id) =>
    {
        var query = context.Request.Query;
        if (query["format"].Count > 1 || query["lines"].Count > 1)
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_query", "give format and lines at most once each");
        }

        string? name = query["format"].Count == 1 ? query["format"][0] : "json";
        if (!ProfileResult.TryParseFormat(name, out var format))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_query", "format must be json, folded, speedscope or svg");
        }

        bool lines = true;
        if (query["lines"].Count == 1 && !bool.TryParse(query["lines"][0], out lines))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_query", "lines must be true or false");
        }

        return profiler.GetResult(id) is { } result ? WriteResultAsync(context, result, format, lines) : null;
    });

    private static async Task WriteResultAsync(HttpContext context, ProfileResult result, ProfileFormat format, bool lines)
    {
        // The result is written synchronously; the server takes only asynchronous writes. Results are bounded by the task's memory cap.
        using var buffer = new MemoryStream();
        result.Write(format, buffer, lines);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = format is ProfileFormat.Folded or ProfileFormat.Svg ? ProfileResult.ContentType(format) : JsonContentType;
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Checks the route's profile id and the profiler, then runs <paramref name="handler"/>; a null task from it means 404.</summary>
    private Task WithProfileAsync(HttpContext context, Func<IProfiler, string, Task?> handler)
    {
        string? id = RouteValue(context, "id");
        if (!IsValidProfileId(id))
        {
            return RefuseAsync(context, StatusCodes.Status400BadRequest, "invalid_profile_id", "not a profile id: lowercase hexadecimal");
        }

        if (_services.GetService<IProfiler>() is not { } profiler)
        {
            return RefuseAsync(context, StatusCodes.Status501NotImplemented, "not_implemented", "no profiler is registered in this host");
        }

        return handler(profiler, id!) ?? RefuseAsync(context, StatusCodes.Status404NotFound, "profile_not_found", $"no profile task has the id {id} (ended tasks are kept for a while, then forgotten)");
    }

    private static bool IsValidProfileId(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(static c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static string? WireName(string? field) => field switch
    {
        null => null,
        nameof(ProfileRequest.CheckId) => "checkId",
        _ => ProfileMembers.FirstOrDefault(m => m.Value.Field == field).Key ?? field,
    };

    /// <summary>
    /// Reads <c>{"checkId": …, "durationSeconds": …, "intervalSeconds": …, "maxDepth": …, "minRunDurationSeconds": …,
    /// "maxRuns": …}</c>: types are checked here, ranges by the profiler. Unknown members are refused, so a typo does
    /// not silently fall back to a default.
    /// </summary>
    private static bool TryReadProfileRequest(HttpContext context, out ProfileRequest? request, out string? problem, out string? member)
    {
        request = null;
        member = null;
        if (context.Items[RequestBodyKey] is not JsonElement body)
        {
            problem = "the request needs a JSON body: {\"checkId\": \"…\"}, optionally with durationSeconds, intervalSeconds, maxDepth, minRunDurationSeconds, maxRuns";
            return false;
        }

        string? checkId = null;
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            member = property.Name;
            if (property.Name == "checkId")
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    problem = "checkId must be a string";
                    return false;
                }

                checkId = property.Value.GetString();
                continue;
            }

            if (!ProfileMembers.TryGetValue(property.Name, out var kind))
            {
                problem = $"unknown member '{property.Name}': the members are checkId, {string.Join(", ", ProfileMembers.Keys)}";
                return false;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out double value) || (kind.Integer && (value != Math.Floor(value) || Math.Abs(value) > int.MaxValue)))
            {
                problem = $"{property.Name} must be {(kind.Integer ? "an integer" : "a number")}";
                return false;
            }

            numbers[property.Name] = value;
        }

        member = "checkId";
        if (string.IsNullOrWhiteSpace(checkId))
        {
            problem = "checkId is required: the id of a check instance, as GET /checks lists them";
            return false;
        }

        member = null;
        problem = null;
        request = new ProfileRequest
        {
            CheckId = checkId,
            Duration = Seconds(numbers, "durationSeconds"),
            Interval = Seconds(numbers, "intervalSeconds"),
            MaxDepth = numbers.TryGetValue("maxDepth", out double depth) ? (int)depth : null,
            MinRunDuration = Seconds(numbers, "minRunDurationSeconds"),
            MaxRuns = numbers.TryGetValue("maxRuns", out double runs) ? (int)runs : null,
        };
        return true;
    }

    // Out-of-range values stay out of range (the profiler names the allowed range); only TimeSpan's own limits are clamped.
    private static TimeSpan? Seconds(Dictionary<string, double> numbers, string name) =>
        numbers.TryGetValue(name, out double seconds)
            ? TimeSpan.FromTicks((long)Math.Clamp(seconds * TimeSpan.TicksPerSecond, -TimeSpan.TicksPerDay * 365.0, TimeSpan.TicksPerDay * 365.0))
            : null;
}
