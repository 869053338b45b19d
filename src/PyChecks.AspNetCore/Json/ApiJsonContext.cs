using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyChecks.AspNetCore.Json;

/// <summary>
/// The control API's serializer, generated at build time: camelCase members, nulls left out, and NaN/±Infinity written
/// as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (a check may submit them; JSON numbers cannot hold them).
/// </summary>
/// <remarks>
/// The types it writes (one file each in this folder) are the control API's wire format, a contract of its own mapped
/// from the core's types (<see cref="ApiMapping"/>), so that the core can change without changing what clients read.
/// Durations are seconds (number) in members named …Seconds; instants are ISO-8601 (UTC); enumerations are lowercase strings.
/// </remarks>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ChecksResponse))]
[JsonSerializable(typeof(CheckStatusModel))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(CancelResponse))]
[JsonSerializable(typeof(ReloadResponse))]
[JsonSerializable(typeof(RecentResponse))]
[JsonSerializable(typeof(MemorySnapshot))]
[JsonSerializable(typeof(ProfileTaskModel))]
[JsonSerializable(typeof(ProfilesResponse))]
[JsonSerializable(typeof(ClusterResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the API writes with: the default encoder escapes <c>'</c>, <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> for
    /// embedding in HTML, which makes Python tracebacks (<c>&lt;module&gt;</c>) unreadable; responses are
    /// <c>application/json</c>, never HTML, so only what JSON requires is escaped. Reading with it refuses a member given
    /// twice, as the API refuses such request bodies.
    /// </summary>
    public static ApiJsonContext Api => s_api ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, AllowDuplicateProperties = false });

    // Built on first use, not in a static initializer: Default is initialized in the generated half of this class.
    private static ApiJsonContext? s_api;
}
