namespace PyChecks;

/// <summary>What a host with no containers and no kubelet answers: no tags, nothing excluded, no connection information.</summary>
internal sealed class EmptyAgentServices : ITagger, IContainerFilter, IKubeletConnection
{
    public static EmptyAgentServices Instance { get; } = new();

    private static readonly Dictionary<string, object?> s_noConnection = [];

    public IReadOnlyList<string> Tag(string entityId, TagCardinality cardinality) => [];

    public bool IsExcluded(string name, string image, string kubernetesNamespace) => false;

    public IReadOnlyDictionary<string, object?> GetConnectionInfo() => s_noConnection;
}
