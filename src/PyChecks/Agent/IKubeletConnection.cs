using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// Answers <c>kubeutil.get_connection_info()</c>: how to reach the kubelet (keys such as <c>url</c>, <c>verify_tls</c>,
/// <c>ca_cert</c>, <c>client_crt</c>, <c>client_key</c>, <c>token</c>). Register an implementation or set
/// <see cref="AgentServices.Kubelet"/>; the default answers an empty mapping.
/// </summary>
/// <remarks>Called on the check's thread with the GIL held: answer from memory, do not block.</remarks>
[Experimental("PYCHECKS002")]
public interface IKubeletConnection
{
    /// <summary>The connection information; values are strings, numbers, booleans, lists or mappings of them.</summary>
    IReadOnlyDictionary<string, object?> GetConnectionInfo();
}
