using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// What a check reports through <c>datadog_agent</c> besides metadata: log lines (<c>send_log</c>), tags of other
/// hosts (<c>set_external_tags</c>) and its own telemetry (<c>emit_agent_telemetry</c>).
/// </summary>
internal static unsafe partial class DatadogAgentModule
{
    [UnmanagedCallersOnly]
    private static nint SendLog(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("send_log", args, count);
            if (!a.Expect(2, 2) || !a.String(0, "log_line", state.Strings, out string line) || !a.String(1, "check_id", state.Strings, out string checkId))
            {
                return 0;
            }

            state.Sink.Deliver(new CheckLog { CheckId = checkId, Message = line });
            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>
    /// <c>set_external_tags([(hostname, {source_type: [tag, ...]}), ...])</c>, with the Agent's errors; tags that are
    /// neither str nor bytes are skipped, as there.
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint SetExternalTags(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("set_external_tags", args, count);
            if (!a.Expect(1, 1))
            {
                return 0;
            }

            nint list = args[0];
            if (CPython.PyObject_IsInstance(list, CPython.ListType) <= 0)
            {
                return RaiseTypeError("tags must be a list");
            }

            // Read everything first, so a bad item raises before any host received part of the list.
            var read = new List<ExternalHostTags>();
            string checkId = CheckRunContext.Current?.CheckId ?? string.Empty;
            for (nint i = 0; i < CPython.PyList_Size(list); i++)
            {
                nint tuple = CPython.PyList_GetItem(list, i);
                if (CPython.PyObject_IsInstance(tuple, CPython.TupleType) <= 0)
                {
                    return RaiseTypeError("external host tags list must contain only tuples");
                }

                if (CPython.PyTuple_Size(tuple) < 1 || !TryString(CPython.PyTuple_GetItem(tuple, 0), out string hostname))
                {
                    return RaiseTypeError("hostname is not a valid string");
                }

                nint dict = CPython.PyTuple_Size(tuple) < 2 ? 0 : CPython.PyTuple_GetItem(tuple, 1);
                if (dict == 0 || !CPython.IsDict(dict))
                {
                    return RaiseTypeError("second elem of the host tags tuple must be a dict");
                }

                nint position = 0, key, value;
                while (CPython.PyDict_Next(dict, &position, &key, &value) != 0)
                {
                    if (!TryString(key, out string sourceType))
                    {
                        return RaiseTypeError("source_type is not a valid string");
                    }

                    if (CPython.PyObject_IsInstance(value, CPython.ListType) <= 0)
                    {
                        return RaiseTypeError("dict value must be a list of tags");
                    }

                    var tags = new List<string>();
                    for (nint j = 0; j < CPython.PyList_Size(value); j++)
                    {
                        if (TryString(CPython.PyList_GetItem(value, j), out string tag))
                        {
                            tags.Add(tag);
                        }
                    }

                    read.Add(new ExternalHostTags { CheckId = checkId, Hostname = hostname, SourceType = sourceType, Tags = tags });
                }
            }

            foreach (var tags in read)
            {
                state.Sink.Deliver(tags);
            }

            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint EmitAgentTelemetry(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("emit_agent_telemetry", args, count);
            if (!a.Expect(4, 4)
                || !a.String(0, "check_name", state.Strings, out string checkName)
                || !a.String(1, "metric_name", state.Strings, out string metricName)
                || !a.Double(2, "metric_value", out double value)
                || !a.String(3, "metric_type", state.Strings, out string metricType))
            {
                return 0;
            }

            // As in the Agent, a value that cannot be recorded is logged, not raised: telemetry must not fail a check.
            if (state.Sink.CheckTelemetry?.Emit(checkName, metricName, value, metricType) is { } refused)
            {
                state.Sink.TelemetryRefused(checkName, metricName, refused);
            }

            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>A str, or bytes read as UTF-8 (rtloader's <c>as_string</c>); false, with no error set, for anything else.</summary>
    internal static bool TryString(nint obj, out string value)
    {
        value = string.Empty;
        if (obj == 0)
        {
            return false;
        }

        if (CPython.IsStr(obj))
        {
            if (Arguments.TryUtf8(obj, out var utf8))
            {
                value = System.Text.Encoding.UTF8.GetString(utf8);
                return true;
            }

            return false;
        }

        byte* data;
        nint size;
        if (CPython.IsBytes(obj) && CPython.PyBytes_AsStringAndSize(obj, &data, &size) == 0)
        {
            value = System.Text.Encoding.UTF8.GetString(data, checked((int)size));
            return true;
        }

        return false;
    }

    private static nint RaiseTypeError(string message)
    {
        Arguments.Raise(CPython.ExcTypeError, message);
        return 0;
    }
}
