namespace PyChecks.Checks.Isolation;

/// <summary>The fields of the protocol's larger messages: an instance's configuration and identity, a run's result.</summary>
internal static class WorkerMessages
{
    public static void WriteConfig(FrameWriter writer, CheckInstanceConfig config)
    {
        writer.WriteString(config.CheckName);
        writer.WriteString(config.CheckId);
        writer.WriteMap(config.InitConfig, $"the init_config of {config.CheckName}");
        writer.WriteMap(config.Instance, $"the instance {config.CheckId}");
        writer.WriteVarInt(config.Interval.Ticks);
        writer.WriteVarInt(config.RunTimeout?.Ticks ?? -1);
        writer.WriteStrings(config.Tags);
        writer.WriteString(config.Service);
        writer.WriteString(config.InstanceName);
        writer.WriteBool(config.EmptyDefaultHostname);
        writer.WriteString(config.Source);
        writer.WriteVarInt(config.Line ?? -1);
    }

    public static CheckInstanceConfig ReadConfig(ref FrameReader reader)
    {
        string name = reader.ReadRequiredString();
        string id = reader.ReadRequiredString();
        var initConfig = reader.ReadMap();
        var instance = reader.ReadMap();
        var interval = TimeSpan.FromTicks(reader.ReadVarInt());
        long timeout = reader.ReadVarInt();
        string[] tags = reader.ReadStrings();
        string? service = reader.ReadString();
        string? instanceName = reader.ReadString();
        bool emptyDefaultHostname = reader.ReadBool();
        string source = reader.ReadRequiredString();
        long line = reader.ReadVarInt();
        return new CheckInstanceConfig(name, id, initConfig, instance, interval, tags, service, instanceName, emptyDefaultHostname, source, line < 0 ? null : (int)line)
        {
            RunTimeout = timeout < 0 ? null : TimeSpan.FromTicks(timeout),
        };
    }

    public static void WriteIdentity(FrameWriter writer, ICheck check)
    {
        writer.WriteString(check.Id);
        writer.WriteString(check.Name);
        writer.WriteString(check.Version);
        writer.WriteVarInt(check.Interval.Ticks);
        writer.WriteString(check.Source);
        writer.WriteStrings(check.LoadWarnings);
        writer.WriteStringMap(check.Metadata);
    }

    public static CheckIdentityInWorker ReadIdentity(ref FrameReader reader) => new(
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        TimeSpan.FromTicks(reader.ReadVarInt()),
        reader.ReadRequiredString(),
        reader.ReadStrings(),
        reader.ReadStringMap());

    public static void WriteResult(FrameWriter writer, CheckRunResult result)
    {
        writer.WriteString(result.Error);
        writer.WriteBool(result.Interrupted);
        writer.WriteString(result.Traceback);
        writer.WriteStrings(result.Warnings);
        writer.WriteVarInt(result.StartedAt.UtcTicks);
        writer.WriteVarInt(result.Duration.Ticks);
        writer.WriteVarInt(result.GilWait.Ticks);
        writer.WriteVarInt(result.InterruptGilWait?.Ticks ?? -1);
        writer.WriteVarUInt((ulong)result.Metrics);
        writer.WriteVarUInt((ulong)result.ServiceChecks);
        writer.WriteVarUInt((ulong)result.Events);
        writer.WriteVarUInt((ulong)result.HistogramBuckets);
        writer.WriteBool(result.PythonMemoryDelta.HasValue);
        writer.WriteVarInt(result.PythonMemoryDelta ?? 0);
    }

    public static CheckRunResult ReadResult(ref FrameReader reader, string checkId)
    {
        string? error = reader.ReadString();
        bool interrupted = reader.ReadBool();
        string? traceback = reader.ReadString();
        string[] warnings = reader.ReadStrings();
        var startedAt = new DateTimeOffset(reader.ReadVarInt(), TimeSpan.Zero);
        var duration = TimeSpan.FromTicks(reader.ReadVarInt());
        var gilWait = TimeSpan.FromTicks(reader.ReadVarInt());
        long interruptGilWait = reader.ReadVarInt();
        int metrics = (int)reader.ReadVarUInt();
        int serviceChecks = (int)reader.ReadVarUInt();
        int events = (int)reader.ReadVarUInt();
        int buckets = (int)reader.ReadVarUInt();
        bool hasDelta = reader.ReadBool();
        long delta = reader.ReadVarInt();
        return new CheckRunResult
        {
            CheckId = checkId,
            Error = error,
            Interrupted = interrupted,
            Traceback = traceback,
            Warnings = warnings,
            StartedAt = startedAt,
            Duration = duration,
            GilWait = gilWait,
            InterruptGilWait = interruptGilWait < 0 ? null : TimeSpan.FromTicks(interruptGilWait),
            Metrics = metrics,
            ServiceChecks = serviceChecks,
            Events = events,
            HistogramBuckets = buckets,
            PythonMemoryDelta = hasDelta ? delta : null,
        };
    }
}
