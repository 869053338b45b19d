namespace PyChecks;

/// <summary>
/// Tags a check set for another host (<c>datadog_agent.set_external_tags</c>, used by checks that monitor
/// hosts of their own, such as vSphere or OpenStack): one per host and source.
/// </summary>
public sealed class ExternalHostTags
{
    /// <summary>The id of the check whose run set them; empty when set outside a check run.</summary>
    public required string CheckId { get; init; }

    /// <summary>The host the tags belong to.</summary>
    public required string Hostname { get; init; }

    /// <summary>The source of the tags (for example <c>vsphere</c>).</summary>
    public required string SourceType { get; init; }

    /// <summary>The tags; they replace earlier tags of the same host and source.</summary>
    public required IReadOnlyList<string> Tags { get; init; }
}
