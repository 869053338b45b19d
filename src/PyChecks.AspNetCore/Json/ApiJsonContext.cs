using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyChecks.AspNetCore.Json;

/// <summary>
/// The control API's serializer, generated at build time: camelCase members, nulls left out, and NaN/±Infinity written
/// as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (a check may submit them; JSON numbers cannot hold them).
/// </summary>
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
internal sealed partial class ApiJsonContext : JsonSerializerContext;
