namespace PyChecks.Checks.Isolation;

/// <summary>Which Agent service a <see cref="MessageType.ServiceCall"/> asks, and so what its arguments and answer are.</summary>
internal enum AgentServiceCall : byte
{
    /// <summary><see cref="ITagger.Tag"/>: entity id, cardinality → tags.</summary>
    Tag = 1,

    /// <summary><see cref="IContainerFilter.IsExcluded"/>: name, image, namespace → excluded.</summary>
    IsExcluded = 2,

    /// <summary><see cref="IKubeletConnection.GetConnectionInfo"/>: nothing → a mapping.</summary>
    ConnectionInfo = 3,
}
