using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PyChecks.Interop;
using PyChecks.Telemetry;

namespace PyChecks.Builtins;

/// <summary>
/// The built-in module <c>datadog_agent</c>: what a Datadog check asks of its host (version, host name,
/// configuration, logging, metadata, persistent cache). Values come from the host, through <see cref="IBuiltinSink"/>.
/// </summary>
internal static unsafe partial class DatadogAgentModule
{
    /// <summary>The prefix of check loggers in the real datadog_checks_base.</summary>
    private const string DatadogBaseLogger = "datadog_checks.base.checks.base.";

    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "datadog_agent",
        "What a check can ask of the PyChecks host.",
        [
            new("get_version", (delegate* unmanaged<nint, nint, nint>)&GetVersion, NativeMethod.NoArgs, "get_version() -> str"),
            new("get_hostname", (delegate* unmanaged<nint, nint, nint>)&GetHostname, NativeMethod.NoArgs, "get_hostname() -> str"),
            new("get_clustername", (delegate* unmanaged<nint, nint, nint>)&GetClusterName, NativeMethod.NoArgs, "get_clustername() -> str"),
            new("get_host_tags", (delegate* unmanaged<nint, nint, nint>)&GetHostTags, NativeMethod.NoArgs, "get_host_tags() -> str (JSON)"),
            new("tracemalloc_enabled", (delegate* unmanaged<nint, nint, nint>)&TracemallocEnabled, NativeMethod.NoArgs, "tracemalloc_enabled() -> bool"),
            new("get_process_start_time", (delegate* unmanaged<nint, nint, nint>)&GetProcessStartTime, NativeMethod.NoArgs, "get_process_start_time() -> float"),
            new("get_config", (delegate* unmanaged<nint, nint*, nint, nint>)&GetConfig, NativeMethod.FastCall, "get_config(key) -> value or None"),
            new("headers", (delegate* unmanaged<nint, nint, nint, nint>)&Headers, NativeMethod.VarArgs | NativeMethod.Keywords, "headers(agentConfig, **kwargs) -> dict"),
            new("log", (delegate* unmanaged<nint, nint*, nint, nint>)&Log, NativeMethod.FastCall, "log(message, level, logger_name=None)"),
            new("send_log", (delegate* unmanaged<nint, nint*, nint, nint>)&SendLog, NativeMethod.FastCall, "send_log(log_line, check_id)"),
            new("set_external_tags", (delegate* unmanaged<nint, nint*, nint, nint>)&SetExternalTags, NativeMethod.FastCall, "set_external_tags([(hostname, {source_type: [tags]}), ...])"),
            new("emit_agent_telemetry", (delegate* unmanaged<nint, nint*, nint, nint>)&EmitAgentTelemetry, NativeMethod.FastCall, "emit_agent_telemetry(check_name, metric_name, metric_value, metric_type)"),
            new("set_check_metadata", (delegate* unmanaged<nint, nint*, nint, nint>)&SetCheckMetadata, NativeMethod.FastCall, "set_check_metadata(check_id, name, value)"),
            new("write_persistent_cache", (delegate* unmanaged<nint, nint*, nint, nint>)&WritePersistentCache, NativeMethod.FastCall, "write_persistent_cache(key, value)"),
            new("read_persistent_cache", (delegate* unmanaged<nint, nint*, nint, nint>)&ReadPersistentCache, NativeMethod.FastCall, "read_persistent_cache(key) -> str ('' when absent)"),
            new("obfuscate_sql", (delegate* unmanaged<nint, nint*, nint, nint, nint>)&ObfuscateSql, NativeMethod.FastCall | NativeMethod.Keywords, "obfuscate_sql(query[, options]) -> str (options: a JSON object)"),
            new("obfuscate_sql_exec_plan", (delegate* unmanaged<nint, nint*, nint, nint, nint>)&ObfuscateSqlExecPlan, NativeMethod.FastCall | NativeMethod.Keywords, "obfuscate_sql_exec_plan(plan, /, normalize=False) -> str"),
            new("obfuscate_mongodb_string", (delegate* unmanaged<nint, nint*, nint, nint, nint>)&ObfuscateMongoDbString, NativeMethod.FastCall | NativeMethod.Keywords, "obfuscate_mongodb_string(command) -> str"),
        ],
        &EntryPoint.ExecState);

    [UnmanagedCallersOnly]
    public static nint Init() => EntryPoint.InitModule(static () => Definition);


    [UnmanagedCallersOnly]
    private static nint GetVersion(nint self, nint unused) => Return(() => ModuleState.Of(self).Sink.Agent.Version);

    [UnmanagedCallersOnly]
    private static nint GetHostname(nint self, nint unused) => Return(() => ModuleState.Of(self).Sink.Agent.Hostname);

    [UnmanagedCallersOnly]
    private static nint GetClusterName(nint self, nint unused) => Return(() => ModuleState.Of(self).Sink.Agent.ClusterName);

    [UnmanagedCallersOnly]
    private static nint GetHostTags(nint self, nint unused) => Return(() => JsonSerializer.Serialize(ModuleState.Of(self).Sink.Agent.HostTags));

    [UnmanagedCallersOnly]
    private static nint TracemallocEnabled(nint self, nint unused) => Return(() => ModuleState.Of(self).Sink.Agent.TracemallocEnabled);

    [UnmanagedCallersOnly]
    private static nint GetProcessStartTime(nint self, nint unused) => Return(() => ModuleState.Of(self).Sink.Agent.ProcessStartTime.ToUnixTimeMilliseconds() / 1000.0);

    [UnmanagedCallersOnly]
    private static nint GetConfig(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("get_config", args, count);
            if (!a.Expect(1, 1) || !a.String(0, "key", state.Strings, out string key))
            {
                return 0;
            }

            // As the Agent: a key it does not know answers None; dotted keys reach into mappings ('proxy.http').
            return PyObject.NewReference(AgentConfigLookup.Find(state.Sink.Agent.Config, key, out object? value) ? value : null);
        }
        catch (ArgumentException e)
        {
            // A value with no Python form, or one that contains itself: a problem of the configuration, not a host error.
            Arguments.Raise(CPython.ExcValueError, $"the agent configuration value cannot be converted to Python: {e.Message}");
            return 0;
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    internal static nint Headers(nint self, nint args, nint kwargs)
    {
        try
        {
            var state = ModuleState.Of(self);
            var headers = new Dictionary<string, object?>
            {
                ["User-Agent"] = $"Datadog Agent/{state.Sink.Agent.Version}",
                ["Content-Type"] = "application/x-www-form-urlencoded",
                ["Accept"] = "text/html, */*",
            };
            if (kwargs != 0)
            {
                nint host;
                fixed (byte* key = "http_host"u8)
                {
                    host = CPython.PyDict_GetItemString(kwargs, key);
                }

                if (host != 0 && host != CPython.None)
                {
                    var a = new Arguments("headers", &host, 1);
                    if (!a.String(0, "http_host", state.Strings, out string hostHeader))
                    {
                        return 0;
                    }

                    headers["Host"] = hostHeader;
                }
            }

            return PyObject.NewReference(headers);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Log(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("log", args, count);
            string loggerName = string.Empty;
            if (!a.Expect(2, 3)
                || !a.String(0, "message", state.Strings, out string message)
                || !a.Int64(1, "level", out long level)
                || (count > 2 && !a.OptionalString(2, "logger_name", state.Strings, out loggerName)))
            {
                return 0;
            }

            // A check's logger ('datadog_checks.<check>') logs under 'PyChecks.Checks.<check>'; other Python loggers under 'PyChecks.Python.<name>'.
            string category = loggerName.StartsWith(DatadogBaseLogger, StringComparison.Ordinal) ? "PyChecks.Checks." + loggerName[DatadogBaseLogger.Length..]
                : loggerName.StartsWith("datadog_checks.", StringComparison.Ordinal) ? "PyChecks.Checks." + loggerName["datadog_checks.".Length..]
                : loggerName.Length == 0 ? "PyChecks.Python"
                : "PyChecks.Python." + loggerName;
            var logger = state.Loggers.GetOrAdd(category, static (name, factory) => factory.CreateLogger(name), state.Sink.LoggerFactory);
            var logLevel = level switch
            {
                >= 50 => LogLevel.Critical,
                >= 40 => LogLevel.Error,
                >= 30 => LogLevel.Warning,
                >= 20 => LogLevel.Information,
                >= 10 => LogLevel.Debug,
                _ => LogLevel.Trace,
            };
            LogPython(logger, logLevel, message);
            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SetCheckMetadata(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("set_check_metadata", args, count);
            if (!a.Expect(3, 3)
                || !a.String(0, "check_id", state.Strings, out string checkId)
                || !a.String(1, "name", state.Strings, out string name)
                || !a.String(2, "value", state.Strings, out string value))
            {
                return 0;
            }

            var context = state.Sink.Find(checkId);
            if (context is not null)
            {
                context.Metadata[name] = value;
            }

            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint WritePersistentCache(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("write_persistent_cache", args, count);
            if (!a.Expect(2, 2) || !a.Utf8String(0, "key", state.Strings, out string key) || !a.Utf8String(1, "value", state.Strings, out string value))
            {
                return 0;
            }

            PersistentCache.Write(state.Sink.Agent.PersistentCacheDirectory, key, value);
            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint ReadPersistentCache(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("read_persistent_cache", args, count);
            if (!a.Expect(1, 1) || !a.Utf8String(0, "key", state.Strings, out string key))
            {
                return 0;
            }

            return PyObject.NewString(PersistentCache.Read(state.Sink.Agent.PersistentCacheDirectory, key));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [LoggerMessage(EventId = EventIds.PythonLog, EventName = "PythonLog", Message = "{Message}")]
    private static partial void LogPython(ILogger logger, LogLevel level, string message);

    private static nint Return(Func<object?> value)
    {
        try
        {
            return PyObject.NewReference(value());
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
}
