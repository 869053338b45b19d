using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PyChecks.Checks;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// The built-in module <c>aggregator</c>, with Datadog's names, signatures and constants. Each function
/// validates its arguments like CPython's argument parser, raises a Python exception on bad input, and
/// never lets a .NET exception cross into native code.
/// </summary>
internal static unsafe partial class AggregatorModule
{
    private static NativeModuleDefinition? s_definition;

    public static NativeModuleDefinition Definition => s_definition ??= new NativeModuleDefinition(
        "aggregator",
        "Submits metrics, service checks, events and histogram buckets to the PyChecks host.",
        [
            new("submit_metric", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitMetric, NativeMethod.FastCall,
                "submit_metric(check, check_id, mtype, name, value, tags, hostname, flush_first_value=False)"),
            new("_submit_metric_fast", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitMetricFast, NativeMethod.FastCall,
                "_submit_metric_fast(check, check_id, mtype, name, value, tags, flush_first_value) -> bool: submits and returns True when every argument is of the common type (str name, float or int value, list, tuple or None tags); otherwise submits nothing and returns False, for AgentCheck to take its general path."),
            new("submit_service_check", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitServiceCheck, NativeMethod.FastCall,
                "submit_service_check(check, check_id, name, status, tags, hostname, message)"),
            new("submit_event", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitEvent, NativeMethod.FastCall,
                "submit_event(check, check_id, event)"),
            new("submit_histogram_bucket", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitHistogramBucket, NativeMethod.FastCall,
                "submit_histogram_bucket(check, check_id, name, value, lower_bound, upper_bound, monotonic, hostname, tags)"),
            new("submit_event_platform_event", (delegate* unmanaged<nint, nint*, nint, nint>)&SubmitEventPlatformEvent, NativeMethod.FastCall,
                "submit_event_platform_event(check, check_id, raw_event, event_type)"),
        ],
        &Exec);

    [UnmanagedCallersOnly]
    public static nint Init() => Builtin.InitModule(static () => Definition);

    [UnmanagedCallersOnly]
    private static int Exec(nint module)
    {
        try
        {
            NativeModuleDefinition.SetOwner(module, SubmissionRouter.Instance);
            return Builtin.AddIntConstants(module, [("GAUGE", (long)MetricType.Gauge), ("RATE", (long)MetricType.Rate), ("COUNT", (long)MetricType.Count), ("MONOTONIC_COUNT", (long)MetricType.MonotonicCount), ("COUNTER", (long)MetricType.Counter), ("HISTOGRAM", (long)MetricType.Histogram), ("HISTORATE", (long)MetricType.Historate)]);
        }
        catch (Exception e)
        {
            return Builtin.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubmitMetric(nint self, nint* args, nint count)
    {
        try
        {
            var router = NativeModuleDefinition.GetOwner<SubmissionRouter>(self);
            var a = new Arguments("submit_metric", args, count);
            if (!a.Expect(7, 8)
                || !CheckId(a, 1, router, out var context)
                || !a.Int64(2, "mtype", out long type)
                || !a.String(3, "name", router.Strings, out string name)
                || !a.Double(4, "value", out double value))
            {
                return 0;
            }

            if (!MetricTypeIsValid(type))
            {
                Arguments.Raise(CPython.ExcValueError, $"submit_metric() argument 3 (mtype) must be one of aggregator.GAUGE … aggregator.HISTORATE (0–6), not {type}");
                return 0;
            }

            bool flushFirst = false;
            if (!a.OptionalString(6, "hostname", router.Strings, out string hostname) || (count > 7 && !a.Boolean(7, out flushFirst)))
            {
                return 0;
            }

            string[]? tags = ReadTags(a, 5, router, context, name, out int tagCount);
            if (tags is null)
            {
                return 0;
            }

            DeliverMetric(router, context, (MetricType)type, name, value, tags, tagCount, hostname, flushFirst);
            return Builtin.None();
        }
        catch (Exception e)
        {
            return Builtin.Raise(e);
        }
    }

    /// <summary>
    /// AgentCheck's fast path: the checks it would make in Python (exact types, no conversion), made here.
    /// Returns False, having submitted nothing and with no error set, when any argument needs
    /// AgentCheck._submit_metric's general handling (conversion, normalization, or its error messages).
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint SubmitMetricFast(nint self, nint* args, nint count)
    {
        try
        {
            var router = NativeModuleDefinition.GetOwner<SubmissionRouter>(self);
            if (count != 7)
            {
                Arguments.Raise(CPython.ExcTypeError, $"_submit_metric_fast() takes exactly 7 positional arguments ({count} given)");
                return 0;
            }

            int type = CPython.SmallIntValue(args[2]);
            nint tags = args[5];
            bool listOrTuple = false, isList = false;
            if (!MetricTypeIsValid(type)
                || (args[6] != CPython.True && args[6] != CPython.False)
                || !(tags == CPython.None || (listOrTuple = (isList = CPython.IsExactType(tags, CPython.ListType)) || CPython.IsExactType(tags, CPython.TupleType)))
                || !ExactNumber(args[4], out double value)
                || !router.Strings.TryGet(args[1], out string checkId)
                || !router.Strings.TryGet(args[3], out string name))
            {
                return Builtin.False();
            }

            var context = router.Resolve(checkId);
            int tagCount = 0;
            string[] buffer = listOrTuple
                ? ReadListOrTuple(tags, isList, router, context, name, out tagCount)
                : AppendConfigured(router.RentTags(context?.ConfiguredTags.Length ?? 0), 0, context, out tagCount);
            DeliverMetric(router, context, (MetricType)type, name, value, buffer, tagCount, string.Empty, args[6] == CPython.True);
            return Builtin.True();
        }
        catch (Exception e)
        {
            return Builtin.Raise(e);
        }
    }

    /// <summary>The value of an exact float, or of an exact int that a double can hold; false (no error set) otherwise.</summary>
    private static bool ExactNumber(nint obj, out double value)
    {
        if (CPython.IsExactType(obj, CPython.FloatType))
        {
            value = CPython.Leaf.PyFloat_AsDouble(obj);
            return true;
        }

        if (CPython.IsExactType(obj, CPython.LongType))
        {
            value = CPython.PyFloat_AsDouble(obj);
            if (value == -1.0 && CPython.PyErr_Occurred() != 0)
            {
                CPython.PyErr_Clear(); // too large: float(value) in Python raises, with AgentCheck's message
                return false;
            }

            return true;
        }

        value = 0;
        return false;
    }

    private static void DeliverMetric(SubmissionRouter router, CheckRunContext? context, MetricType type, string name, double value, string[] tags, int tagCount, string hostname, bool flushFirst)
    {
        if (context is not null)
        {
            context.Metrics++;
            router.Deliver(new MetricSample
            {
                CheckId = context.CheckId,
                Type = type,
                Name = name,
                Value = value,
                Tags = tags.AsSpan(0, tagCount),
                Hostname = hostname,
                FlushFirstValue = flushFirst,
            });
        }

        router.ReturnTags(tags, tagCount);
    }

    [UnmanagedCallersOnly]
    private static nint SubmitServiceCheck(nint self, nint* args, nint count)
    {
        try
        {
            var router = NativeModuleDefinition.GetOwner<SubmissionRouter>(self);
            var a = new Arguments("submit_service_check", args, count);
            if (!a.Expect(7, 7)
                || !CheckId(a, 1, router, out var context)
                || !a.String(2, "name", router.Strings, out string name)
                || !a.Int64(3, "status", out long status)
                || !a.OptionalString(5, "hostname", router.Strings, out string hostname)
                || !a.OptionalString(6, "message", router.Strings, out string message))
            {
                return 0;
            }

            if (status is < 0 or > 3)
            {
                Arguments.Raise(CPython.ExcValueError, $"submit_service_check() argument 4 (status) must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN), not {status}");
                return 0;
            }

            string[]? tags = ReadTags(a, 4, router, context, name, out int tagCount);
            if (tags is null)
            {
                return 0;
            }

            if (context is not null)
            {
                context.ServiceChecks++;
                router.Deliver(new ServiceCheckSample
                {
                    CheckId = context.CheckId,
                    Name = name,
                    Status = (ServiceCheckStatus)status,
                    Tags = tags.AsSpan(0, tagCount),
                    Hostname = hostname,
                    Message = message,
                });
            }

            router.ReturnTags(tags, tagCount);
            return Builtin.None();
        }
        catch (Exception e)
        {
            return Builtin.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubmitEvent(nint self, nint* args, nint count)
    {
        try
        {
            var router = NativeModuleDefinition.GetOwner<SubmissionRouter>(self);
            var a = new Arguments("submit_event", args, count);
            if (!a.Expect(3, 3) || !CheckId(a, 1, router, out var context))
            {
                return 0;
            }

            nint dict = args[2];
            if (!CPython.IsDict(dict)) // by type: an object whose __class__ says dict is not one
            {
                Arguments.Raise(CPython.ExcTypeError, "event must be a dict");
                return 0;
            }

            if (!EventField(dict, "msg_title"u8, router, out string title)
                || !EventField(dict, "msg_text"u8, router, out string text)
                || !EventField(dict, "priority"u8, router, out string priority)
                || !EventField(dict, "host"u8, router, out string host)
                || !EventField(dict, "alert_type"u8, router, out string alertType)
                || !EventField(dict, "aggregation_key"u8, router, out string aggregationKey)
                || !EventField(dict, "source_type_name"u8, router, out string sourceTypeName)
                || !EventField(dict, "event_type"u8, router, out string eventType))
            {
                return 0;
            }

            long timestamp = 0;
            nint ts = GetItem(dict, "timestamp"u8);
            if (ts != 0 && ts != CPython.None && !Timestamp(ts, out timestamp))
            {
                return 0;
            }

            string[] eventTags = [];
            nint tagsObject = GetItem(dict, "tags"u8);
            if (tagsObject != 0 && tagsObject != CPython.None)
            {
                var tagArgs = new Arguments("submit_event", &tagsObject, 1);
                string[]? tags = ReadTags(tagArgs, 0, router, context, title, out int tagCount);
                if (tags is null)
                {
                    return 0;
                }

                eventTags = tags.AsSpan(0, tagCount).ToArray();
                router.ReturnTags(tags, tagCount);
            }
            else if (context is not null)
            {
                eventTags = [.. context.ConfiguredTags];
            }

            if (context is not null)
            {
                context.Events++;
                router.Deliver(new CheckEvent
                {
                    CheckId = context.CheckId,
                    Title = title,
                    Text = text,
                    Timestamp = timestamp,
                    Priority = priority,
                    Host = host,
                    AlertType = alertType,
                    AggregationKey = aggregationKey,
                    SourceTypeName = sourceTypeName,
                    EventType = eventType,
                    Tags = eventTags,
                });
            }

            return Builtin.None();
        }
        catch (Exception e)
        {
            return Builtin.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubmitHistogramBucket(nint self, nint* args, nint count)
    {
        try
        {
            var router = NativeModuleDefinition.GetOwner<SubmissionRouter>(self);
            var a = new Arguments("submit_histogram_bucket", args, count);
            if (!a.Expect(9, 10)
                || !CheckId(a, 1, router, out var context)
                || !a.String(2, "name", router.Strings, out string name)
                || !a.Int64(3, "value", out long value)
                || !a.Double(4, "lower_bound", out double lower)
                || !a.Double(5, "upper_bound", out double upper)
                || !a.Boolean(6, out bool monotonic)
                || !a.OptionalString(7, "hostname", router.Strings, out string hostname))
            {
                return 0;
            }

            string[]? tags = ReadTags(a, 8, router, context, name, out int tagCount);
            if (tags is null)
            {
                return 0;
            }

            if (context is not null)
            {
                context.HistogramBuckets++;
                router.Deliver(new HistogramBucketSample
                {
                    CheckId = context.CheckId,
                    Name = name,
                    Value = value,
                    LowerBound = lower,
                    UpperBound = upper,
                    Monotonic = monotonic,
                    Hostname = hostname,
                    Tags = tags.AsSpan(0, tagCount),
                });
            }

            router.ReturnTags(tags, tagCount);
            return Builtin.None();
        }
        catch (Exception e)
        {
            return Builtin.Raise(e);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MetricTypeIsValid(long type) => type is >= 0 and <= (long)MetricType.Historate;

    /// <summary>Reads the check id and finds its check (null, without error, when it names no loaded check: the sample is dropped and counted).</summary>
    private static bool CheckId(in Arguments a, int index, SubmissionRouter router, out CheckRunContext? context)
    {
        if (!a.String(index, "check_id", router.Strings, out string checkId))
        {
            context = null;
            return false;
        }

        context = router.Resolve(checkId);
        return true;
    }

    /// <summary>
    /// Reads tags into a rented buffer, then appends the check's configured tags. A str or a non-sequence is a
    /// TypeError; items that are neither str nor bytes are dropped (Datadog's rule), and so are bytes that are
    /// not UTF-8, with a warning (AgentCheck._normalize_tags_type's rule). <paramref name="subject"/> names the
    /// sample in that warning.
    /// </summary>
    private static string[]? ReadTags(in Arguments a, int index, SubmissionRouter router, CheckRunContext? context, string subject, out int count)
    {
        nint tags = a[index];
        bool isList = CPython.IsExactType(tags, CPython.ListType);
        if (isList || CPython.IsExactType(tags, CPython.TupleType))
        {
            return ReadListOrTuple(tags, isList, router, context, subject, out count);
        }

        // Any other sequence: through PySequence_Fast, which hands back an exact list or tuple.
        count = 0;
        if (CPython.PySequence_Check(tags) == 0 || CPython.PyObject_IsInstance(tags, CPython.UnicodeType) > 0 || CPython.PyObject_IsInstance(tags, CPython.BytesType) > 0)
        {
            CPython.PyErr_Clear();
            Arguments.Raise(CPython.ExcTypeError, "tags must be a sequence");
            return null;
        }

        nint fast;
        fixed (byte* message = "tags must be a sequence"u8)
        {
            fast = CPython.PySequence_Fast(tags, message);
        }

        if (fast == 0)
        {
            return null;
        }

        try
        {
            return ReadListOrTuple(fast, CPython.IsExactType(fast, CPython.ListType), router, context, subject, out count);
        }
        finally
        {
            CPython.Py_DecRef(fast);
        }
    }

    /// <summary>Reads the tags of an exact list or tuple (the leaf accessors apply), then the configured tags.</summary>
    private static string[] ReadListOrTuple(nint tags, bool isList, SubmissionRouter router, CheckRunContext? context, string subject, out int count)
    {
        int length = (int)(isList ? CPython.Leaf.PyList_Size(tags) : CPython.Leaf.PyTuple_Size(tags));
        var buffer = router.RentTags(length + (context?.ConfiguredTags.Length ?? 0));
        count = 0;

        for (int i = 0; i < length; i++)
        {
            nint item = isList ? CPython.Leaf.PyList_GetItem(tags, i) : CPython.Leaf.PyTuple_GetItem(tags, i);
            if (router.Strings.TryGetCached(item, out string tag))
            {
                buffer[count++] = tag;
                continue;
            }

            if (router.Strings.TryGet(item, out tag) || Arguments.TryReadSurrogates(item, out tag))
            {
                buffer[count++] = tag; // a str with lone surrogates is kept as read, like a name
            }
            else if (TryBytes(item, out var bytes))
            {
                if (TryDecodeStrict(bytes, out tag))
                {
                    buffer[count++] = tag;
                }
                else
                {
                    router.TagNotUtf8(bytes, subject);
                }
            }

            // That called into Python, which could have run a finalizer that shrank the list.
            if (isList)
            {
                length = Math.Min(length, (int)CPython.Leaf.PyList_Size(tags));
            }
        }

        return AppendConfigured(buffer, count, context, out count);
    }

    private static string[] AppendConfigured(string[] buffer, int count, CheckRunContext? context, out int total)
    {
        if (context is not null)
        {
            // A check often passes its instance tags itself; keep each tag once, as Datadog's aggregator does.
            int checkTags = count;
            foreach (string tag in context.ConfiguredTags)
            {
                if (Array.IndexOf(buffer, tag, 0, checkTags) < 0)
                {
                    buffer[count++] = tag;
                }
            }
        }

        total = count;
        return buffer;
    }

    private static bool TryDecodeStrict(ReadOnlySpan<byte> bytes, out string text)
    {
        bool valid = System.Text.Unicode.Utf8.IsValid(bytes);
        text = valid ? System.Text.Encoding.UTF8.GetString(bytes) : string.Empty;
        return valid;
    }

    private static bool TryBytes(nint item, out ReadOnlySpan<byte> bytes)
    {
        byte* data;
        nint length;
        // By type, running no Python code (a __class__ property could change the list being read).
        if (CPython.IsBytes(item))
        {
            if (CPython.PyBytes_AsStringAndSize(item, &data, &length) == 0)
            {
                bytes = new ReadOnlySpan<byte>(data, checked((int)length));
                return true;
            }

            CPython.PyErr_Clear();
        }

        bytes = default;
        return false;
    }

    private static nint GetItem(nint dict, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            return CPython.PyDict_GetItemString(dict, k); // borrowed
        }
    }

    /// <summary>
    /// Reads an optional str field of an event dict (absent or None → empty; lone surrogates kept); bytes are decoded
    /// as UTF-8 (UnicodeDecodeError when they are not); other types are a TypeError.
    /// </summary>
    private static bool EventField(nint dict, ReadOnlySpan<byte> key, SubmissionRouter router, out string value)
    {
        value = string.Empty;
        nint item = GetItem(dict, key);
        if (item == 0 || item == CPython.None)
        {
            return true;
        }

        if (router.Strings.TryGet(item, out value) || Arguments.TryReadSurrogates(item, out value))
        {
            return true;
        }

        if (TryBytes(item, out var bytes))
        {
            // Strict, like a bytes tag: text that is not UTF-8 raises UnicodeDecodeError rather than being altered.
            nint text;
            fixed (byte* data = bytes)
            fixed (byte* strict = "strict"u8)
            {
                text = CPython.PyUnicode_DecodeUTF8(data, bytes.Length, strict);
            }

            if (text == 0)
            {
                return false;
            }

            value = PyObject.TryReadString(text) ?? string.Empty;
            CPython.Py_DecRef(text);
            return true;
        }

        return Arguments.Raise(CPython.ExcTypeError, $"event field '{System.Text.Encoding.UTF8.GetString(key)}' must be str, not {Arguments.TypeName(item)}");
    }

    /// <summary>
    /// An event's timestamp in whole epoch seconds: a number (or an object with <c>__float__</c>), truncated. A value that is
    /// not a number (TypeError, ValueError, OverflowError), NaN, ±inf or beyond 64 bits means "now" (0), as an
    /// absent one does. Other exceptions (raised by the value's own <c>__float__</c>) propagate.
    /// </summary>
    private static bool Timestamp(nint ts, out long timestamp)
    {
        timestamp = 0;
        double seconds = CPython.PyFloat_AsDouble(ts);
        if (seconds == -1.0 && CPython.PyErr_Occurred() != 0)
        {
            if (CPython.PyErr_ExceptionMatches(CPython.ExcTypeError) == 0
                && CPython.PyErr_ExceptionMatches(CPython.ExcValueError) == 0
                && CPython.PyErr_ExceptionMatches(CPython.ExcOverflowError) == 0)
            {
                return false;
            }

            CPython.PyErr_Clear();
            return true;
        }

        // (long) of NaN or of a double beyond the range would saturate: a date in the year 292 billion, not "now".
        if (double.IsFinite(seconds) && seconds >= long.MinValue && seconds < 9223372036854775808.0)
        {
            timestamp = (long)seconds;
        }

        return true;
    }
}
