namespace PyChecks.Checks.Isolation;

/// <summary>The Agent services a host provides itself, which its workers forward to it (<see cref="MessageType.ServiceCall"/>).</summary>
[Flags]
internal enum ForwardedAgentServices : byte
{
    /// <summary><see cref="ITagger"/>.</summary>
    Tagger = 1,

    /// <summary><see cref="IContainerFilter"/>.</summary>
    ContainerFilter = 2,

    /// <summary><see cref="IKubeletConnection"/>.</summary>
    Kubelet = 4,
}
