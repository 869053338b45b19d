using Microsoft.Extensions.Logging;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// What a worker process needs to start Python exactly as its host did: the host's discovery result, search paths and
/// options, sent in the <see cref="MessageType.Hello"/> frame.
/// </summary>
internal sealed class WorkerSettings
{
    public required string LibraryPath { get; init; }

    public string? Executable { get; init; }

    public required IReadOnlyList<string> SearchPaths { get; init; }

    public bool Isolated { get; init; }

    public int PythonThreads { get; init; } = 2;

    public TimeSpan ShutdownTimeout { get; init; }

    public bool DatadogImportAliases { get; init; }

    public bool GuardProcessExit { get; init; }

    public bool CaptureCheckOutput { get; init; }

    public bool TracemallocEnabled { get; init; }

    public required string AgentVersion { get; init; }

    public required string Hostname { get; init; }

    public required string ClusterName { get; init; }

    public required IReadOnlyDictionary<string, object?> HostTags { get; init; }

    public required IReadOnlyDictionary<string, object?> AgentConfig { get; init; }

    public string? PersistentCacheDirectory { get; init; }

    /// <summary>The least severe level the host logs for checks: the worker forwards nothing below it.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>The Agent services the host provides, which the worker asks the host for.</summary>
    public ForwardedAgentServices ForwardedServices { get; init; }

    /// <summary>The settings of <paramref name="options"/> for a host whose Python is <paramref name="location"/>.</summary>
    public static WorkerSettings For(PyChecksOptions options, PythonLocation location, ILoggerFactory loggerFactory, AgentServices services)
    {
        var python = CheckHost.PythonOptionsFor(options);
        var logger = loggerFactory.CreateLogger(HostLogLevel.Category);
        var level = Enum.GetValues<LogLevel>().FirstOrDefault(l => l != LogLevel.None && logger.IsEnabled(l), LogLevel.None);
        return new WorkerSettings
        {
            LibraryPath = location.LibraryPath,
            Executable = location.Executable,
            SearchPaths = [.. python.SearchPaths],
            Isolated = python.Isolated,
            PythonThreads = python.WorkerCount,
            ShutdownTimeout = python.ShutdownTimeout,
            DatadogImportAliases = options.DatadogImportAliases,
            GuardProcessExit = options.GuardProcessExit,
            CaptureCheckOutput = options.CaptureCheckOutput,
            TracemallocEnabled = options.TracemallocEnabled,
            AgentVersion = options.AgentVersion,
            Hostname = options.Hostname,
            ClusterName = options.ClusterName,
            HostTags = options.HostTags.ToDictionary(static p => p.Key, static p => (object?)p.Value.ToList(), StringComparer.Ordinal),
            AgentConfig = new Dictionary<string, object?>(options.AgentConfig.Values, StringComparer.Ordinal),
            PersistentCacheDirectory = options.PersistentCacheDirectory,
            MinimumLogLevel = level,
            ForwardedServices = ForwardedAgentServicesOf(services),
        };
    }

    public void Write(FrameWriter writer)
    {
        writer.WriteVarUInt(WorkerProtocol.Version);
        writer.WriteString(LibraryPath);
        writer.WriteString(Executable);
        writer.WriteStrings(SearchPaths);
        writer.WriteBool(Isolated);
        writer.WriteVarUInt((ulong)PythonThreads);
        writer.WriteVarInt(ShutdownTimeout.Ticks);
        writer.WriteBool(DatadogImportAliases);
        writer.WriteBool(GuardProcessExit);
        writer.WriteBool(CaptureCheckOutput);
        writer.WriteBool(TracemallocEnabled);
        writer.WriteString(AgentVersion);
        writer.WriteString(Hostname);
        writer.WriteString(ClusterName);
        writer.WriteMap(HostTags, "PyChecksOptions.HostTags");
        writer.WriteMap(AgentConfig, "PyChecksOptions.AgentConfig");
        writer.WriteString(PersistentCacheDirectory);
        writer.WriteVarUInt((ulong)MinimumLogLevel);
        writer.WriteByte((byte)ForwardedServices);
    }

    public static WorkerSettings Read(ref FrameReader reader)
    {
        ulong version = reader.ReadVarUInt();
        if (version != WorkerProtocol.Version)
        {
            throw new InvalidDataException($"the host speaks worker protocol {version}, this worker {WorkerProtocol.Version}: the host and PyChecks.dll are from different builds");
        }

        return new WorkerSettings
        {
            LibraryPath = reader.ReadRequiredString(),
            Executable = reader.ReadString(),
            SearchPaths = reader.ReadStrings(),
            Isolated = reader.ReadBool(),
            PythonThreads = (int)reader.ReadVarUInt(),
            ShutdownTimeout = TimeSpan.FromTicks(reader.ReadVarInt()),
            DatadogImportAliases = reader.ReadBool(),
            GuardProcessExit = reader.ReadBool(),
            CaptureCheckOutput = reader.ReadBool(),
            TracemallocEnabled = reader.ReadBool(),
            AgentVersion = reader.ReadRequiredString(),
            Hostname = reader.ReadRequiredString(),
            ClusterName = reader.ReadRequiredString(),
            HostTags = reader.ReadMap(),
            AgentConfig = reader.ReadMap(),
            PersistentCacheDirectory = reader.ReadString(),
            MinimumLogLevel = (LogLevel)reader.ReadVarUInt(),
            ForwardedServices = (ForwardedAgentServices)reader.ReadByte(),
        };
    }

    // Only the services the host replaced: the defaults answer the same in the worker without a round trip.
    private static ForwardedAgentServices ForwardedAgentServicesOf(AgentServices services) =>
        (services.Tagger is EmptyAgentServices ? 0 : ForwardedAgentServices.Tagger)
        | (services.ContainerFilter is EmptyAgentServices ? 0 : ForwardedAgentServices.ContainerFilter)
        | (services.Kubelet is EmptyAgentServices ? 0 : ForwardedAgentServices.Kubelet);

    /// <summary>The options a worker starts its own <see cref="CheckHost"/> with.</summary>
    public PyChecksOptions ToOptions()
    {
        var options = new PyChecksOptions
        {
            Python = new PythonRuntimeOptions
            {
                KnownLocation = (LibraryPath, Executable),
                Isolated = Isolated,
                WorkerCount = Math.Max(1, PythonThreads),
                ShutdownTimeout = ShutdownTimeout,
            },
            DatadogImportAliases = DatadogImportAliases,
            GuardProcessExit = GuardProcessExit,
            CaptureCheckOutput = CaptureCheckOutput,
            TracemallocEnabled = TracemallocEnabled,
            AgentVersion = AgentVersion,
            Hostname = Hostname,
            ClusterName = ClusterName,
            PersistentCacheDirectory = PersistentCacheDirectory,
            EnableScheduler = false,
        };
        foreach (string path in SearchPaths)
        {
            options.Python.SearchPaths.Add(path);
        }

        foreach (var (key, value) in HostTags)
        {
            options.HostTags[key] = value is List<object?> list ? [.. list.Select(static t => t?.ToString() ?? string.Empty)] : [];
        }

        foreach (var (key, value) in AgentConfig)
        {
            options.AgentConfig.Values[key] = value;
        }

        return options;
    }
}
