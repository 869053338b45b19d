using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// Answers <c>containers.is_excluded(name, image, namespace=None)</c>: whether a container is excluded from
/// collection. Register an implementation or set <see cref="AgentServices.ContainerFilter"/>; the default excludes nothing.
/// </summary>
/// <remarks>Called on the check's thread with the GIL held: answer from memory, do not block.</remarks>
[Experimental("PYCHECKS002")]
public interface IContainerFilter
{
    /// <summary>Whether the container is excluded.</summary>
    /// <param name="name">The container's name.</param>
    /// <param name="image">The container's image.</param>
    /// <param name="kubernetesNamespace">The Kubernetes namespace; empty when not given.</param>
    bool IsExcluded(string name, string image, string kubernetesNamespace);
}
