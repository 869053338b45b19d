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
        object? answer;
        Exception? failure;
        switch (kind)
        {
            case AgentServiceCall.Tag:
                string entity = reader.ReadRequiredString();
                var cardinality = (TagCardinality)reader.ReadVarUInt();
                answer = AskTagger(services, entity, cardinality, out failure);
                break;
            case AgentServiceCall.IsExcluded:
                string name = reader.ReadRequiredString(), image = reader.ReadRequiredString(), ns = reader.ReadRequiredString();
                answer = AskFilter(services, name, image, ns, out failure);
                break;
            case AgentServiceCall.ConnectionInfo:
                answer = AskKubelet(services, out failure);
                break;
            default:
                throw new InvalidDataException($"unknown Agent service call {(byte)kind}");
        }

        var writer = new FrameWriter(256);
        if (failure is null)
        {
            try
            {
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
                        writer.WriteMap((IReadOnlyDictionary<string, object?>)answer!, "IKubeletConnection.GetConnectionInfo()");
                        break;
                }

                writer.EndFrame();
                return writer;
            }
            catch (ArgumentException e)
            {
                // A value the protocol cannot carry (the in-process module would refuse it too).
                failure = e;
                writer = new FrameWriter(256);
            }
        }

        writer.BeginFrame(MessageType.ServiceAnswer);
        writer.WriteVarUInt(callId);
        writer.WriteBool(false);
        writer.WriteString(failure.GetType().Name);
        writer.WriteString(failure.Message);
        writer.EndFrame();
        return writer;
    }

    private static IReadOnlyList<string>? AskTagger(AgentServices services, string entity, TagCardinality cardinality, out Exception? failure)
    {
        failure = null;
        try
        {
            return services.Tagger.Tag(entity, cardinality) ?? [];
        }
        catch (Exception e)
        {
            failure = e;
            return null;
        }
    }

    private static bool AskFilter(AgentServices services, string name, string image, string ns, out Exception? failure)
    {
        failure = null;
        try
        {
            return services.ContainerFilter.IsExcluded(name, image, ns);
        }
        catch (Exception e)
        {
            failure = e;
            return false;
        }
    }

    private static IReadOnlyDictionary<string, object?>? AskKubelet(AgentServices services, out Exception? failure)
    {
        failure = null;
        try
        {
            return services.Kubelet.GetConnectionInfo() ?? new Dictionary<string, object?>();
        }
        catch (Exception e)
        {
            failure = e;
            return null;
        }
    }
}
