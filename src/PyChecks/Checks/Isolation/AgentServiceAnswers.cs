namespace PyChecks.Checks.Isolation;

/// <summary>The host's side of <see cref="MessageType.ServiceCall"/>: asks its own Agent service and writes the answer.</summary>
internal static class AgentServiceAnswers
{
    /// <summary>
    /// Reads a call, asks <paramref name="services"/> and returns the <see cref="MessageType.ServiceAnswer"/> frame: the
    /// answer, or the service's exception (its type name and message). A malformed call is an <see cref="InvalidDataException"/>.
    /// </summary>
    public static FrameWriter Answer(AgentServices services, ref FrameReader reader)
    {
        ulong callId = reader.ReadVarUInt();
        var kind = (AgentServiceCall)reader.ReadByte();

        // The arguments are read first: a malformed call is the worker's fault (it ends the worker), a service's
        // exception is the check's to see.
        Func<AgentServices, object> ask;
        switch (kind)
        {
            case AgentServiceCall.Tag:
                string entity = reader.ReadRequiredString();
                var cardinality = (TagCardinality)reader.ReadVarUInt();
                ask = s => s.Tagger.Tag(entity, cardinality) ?? [];
                break;
            case AgentServiceCall.IsExcluded:
                string name = reader.ReadRequiredString(), image = reader.ReadRequiredString(), ns = reader.ReadRequiredString();
                ask = s => s.ContainerFilter.IsExcluded(name, image, ns);
                break;
            case AgentServiceCall.ConnectionInfo:
                ask = static s => s.Kubelet.GetConnectionInfo() ?? new Dictionary<string, object?>();
                break;
            default:
                throw new InvalidDataException($"unknown Agent service call {(byte)kind}");
        }

        var writer = new FrameWriter(256);
        try
        {
            object answer = ask(services);
            writer.BeginFrame(MessageType.ServiceAnswer);
            writer.WriteVarUInt(callId);
            writer.WriteBool(true);
            switch (answer)
            {
                case IReadOnlyList<string> tags:
                    writer.WriteStrings(tags);
                    break;
                case bool excluded:
                    writer.WriteBool(excluded);
                    break;
                default:
                    // A value the protocol cannot carry is an ArgumentException, answered as the service's failure.
                    writer.WriteMap((IReadOnlyDictionary<string, object?>)answer, "IKubeletConnection.GetConnectionInfo()");
                    break;
            }

            writer.EndFrame();
            return writer;
        }
        catch (Exception e)
        {
            writer = new FrameWriter(256);
            writer.BeginFrame(MessageType.ServiceAnswer);
            writer.WriteVarUInt(callId);
            writer.WriteBool(false);
            writer.WriteString(e.GetType().Name);
            writer.WriteString(e.Message);
            writer.EndFrame();
            return writer;
        }
    }
}
