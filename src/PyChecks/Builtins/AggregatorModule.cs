using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public static nint Init() => EntryPoint.InitModule(static () => Definition);

    [UnmanagedCallersOnly]
    private static int Exec(nint module)
    {
        try
        {
            if (!NativeModuleDefinition.SetState(module))
            {
                return -1;
            }

            if (AddAgentCheckBase(module, ModuleState.Of(module)) != 0)
            {
                return -1;
            }

            return EntryPoint.AddIntConstants(module, [("GAUGE", (long)MetricType.Gauge), ("RATE", (long)MetricType.Rate), ("COUNT", (long)MetricType.Count), ("MONOTONIC_COUNT", (long)MetricType.MonotonicCount), ("COUNTER", (long)MetricType.Counter), ("HISTOGRAM", (long)MetricType.Histogram), ("HISTORATE", (long)MetricType.Historate)]);
        }
        catch (Exception e)
        {
            return EntryPoint.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubmitMetric(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            return count >= 7 && TrySubmitMetricCommonCase(state, args, count) ? EntryPoint.None() : SubmitMetricGeneral(state, args, count);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary><c>submit_metric</c> with its arguments read one by one, converted and checked as CPython's parser would.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint SubmitMetricGeneral(ModuleState state, nint* args, nint count)
    {
        var a = new Arguments("submit_metric", args, count);
        if (!a.Expect(7, 8)
            || !CheckId(a, 1, state, out var context)
            || !a.Int64(2, "mtype", out long type)
            || !a.String(3, "name", state.Strings, out string name)
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
        if (!a.OptionalString(6, "hostname", state.Strings, out string hostname) || (count > 7 && !a.Boolean(7, out flushFirst)))
        {
            return 0;
        }

        string[]? tags = SubmittedTags.Read(a, 5, state, context, name, out int tagCount);
        if (tags is null)
        {
            return 0;
        }

        DeliverMetric(state, context, (MetricType)type, name, value, tags, tagCount, hostname, flushFirst, running: false);
        return EntryPoint.None();
    }

    /// <summary>
    /// <c>submit_metric</c>'s common case, submitted as the general path would: 7 or 8 arguments, a <c>str</c> check id
    /// (the running check's), a metric type among the constants, an exact <c>str</c> name, an exact
    /// float or int value, an exact list or tuple of tags, an empty hostname and <c>True</c> or <c>False</c> (or nothing)
    /// for flush_first_value. False, with nothing submitted and no error set, for anything else.
    /// </summary>
    private static bool TrySubmitMetricCommonCase(ModuleState state, nint* args, nint count)
    {
        nint tags = args[5];
        if (count > 8
            || (args[6] != CPython.EmptyString && args[6] != CPython.None)
            || !(CPython.IsExactType(tags, CPython.ListType) || CPython.IsExactType(tags, CPython.TupleType))
            || !state.Strings.TryGet(args[1], out string checkId))
        {
            return false;
        }

        // The running check's own id; any other (another check's, an unknown one) takes the general path.
        var current = CheckRunContext.Current;
        if (current is null)
        {
            return false;
        }

        if (!ReferenceEquals(current.CheckIdFromPython, checkId))
        {
            if (!string.Equals(current.CheckId, checkId, StringComparison.Ordinal))
            {
                return false;
            }

            current.CheckIdFromPython = checkId;
        }

        return TrySubmitFast(state, current, CPython.SmallIntValue(args[2]), args[3], args[4], tags, count > 7 ? args[7] : CPython.False, running: true);
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
            var state = ModuleState.Of(self);
            if (count != 7)
            {
                Arguments.Raise(CPython.ExcTypeError, $"_submit_metric_fast() takes exactly 7 positional arguments ({count} given)");
                return 0;
            }

            return state.Strings.TryGet(args[1], out string checkId)
                && TrySubmitFast(state, state.Sink.Resolve(checkId), CPython.SmallIntValue(args[2]), args[3], args[4], args[5], args[6], running: false)
                ? EntryPoint.True()
                : EntryPoint.False();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>
    /// Submits a metric for <paramref name="context"/> when every argument is of the common type (an exact <c>str</c>
    /// name, an exact float or int value, a list, tuple or None for tags, <c>True</c> or <c>False</c> for
    /// flush_first_value); false, with nothing submitted and no error set, otherwise. <paramref name="running"/>: whether
    /// <paramref name="context"/> is known to be <see cref="CheckRunContext.Current"/>.
    /// </summary>
    private static bool TrySubmitFast(ModuleState state, CheckRunContext? context, int type, nint nameObject, nint valueObject, nint tags, nint flushFirst, bool running)
    {
        bool listOrTuple = false, isList = false;
        if (!MetricTypeIsValid(type)
            || (flushFirst != CPython.True && flushFirst != CPython.False)
            || !(tags == CPython.None || (listOrTuple = (isList = CPython.IsExactType(tags, CPython.ListType)) || CPython.IsExactType(tags, CPython.TupleType)))
            || !ExactNumber(valueObject, out double value)
            || !state.Strings.TryGet(nameObject, out string name))
        {
            return false;
        }

        int tagCount = 0;
        string[] buffer;
        if (listOrTuple && context is not null)
        {
            // The same tags as a sample before: decoded then, lent now (no finally needed: the sink's deliver loop catches
            // what a sender throws, and nothing else here throws).
            if (state.TagSets.TryLend(tags, isList, context, out tagCount) is { } kept)
            {
                DeliverSample(state, context, (MetricType)type, name, value, kept, tagCount, string.Empty, flushFirst == CPython.True, running);
                state.TagSets.GiveBack();
                return true;
            }

            buffer = SubmittedTags.ReadListOrTuple(tags, isList, state, context, name, out tagCount, out bool allKnown);
            state.TagSets.Remember(tags, isList, context, allKnown, buffer, tagCount);
        }
        else
        {
            buffer = listOrTuple
                ? SubmittedTags.ReadListOrTuple(tags, isList, state, context, name, out tagCount)
                : SubmittedTags.AppendConfigured(state.RentTags(context?.ConfiguredTags.Length ?? 0), 0, context, out tagCount);
        }

        DeliverMetric(state, context, (MetricType)type, name, value, buffer, tagCount, string.Empty, flushFirst == CPython.True, running);
        return true;
    }

    /// <summary>The value of an exact float, or of an exact int that a double can hold; false (no error set) otherwise.</summary>
    private static bool ExactNumber(nint obj, out double value)
    {
        if (CPython.IsExactType(obj, CPython.FloatType))
        {
            value = CPython.NoGCTransition.PyFloat_AsDouble(obj);
            return true;
        }

        if (CPython.IsExactType(obj, CPython.LongType))
        {
            return LongAsDouble(obj, out value);
        }

        value = 0;
        return false;
    }

    // Apart, so that the common case (a float) makes no call that leaves cooperative mode (and sets up no frame for one).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool LongAsDouble(nint obj, out double value)
    {
        value = CPython.PyFloat_AsDouble(obj);
        if (value == -1.0 && CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear(); // too large: float(value) in Python raises, with AgentCheck's message
            return false;
        }

        return true;
    }

    private static void DeliverMetric(ModuleState state, CheckRunContext? context, MetricType type, string name, double value, string[] tags, int tagCount, string hostname, bool flushFirst, bool running)
    {
        if (context is not null)
        {
            DeliverSample(state, context, type, name, value, tags, tagCount, hostname, flushFirst, running);
        }

        state.ReturnTags(tags, tagCount);
    }

    /// <summary>Hands one sample of <paramref name="context"/> to the sink, counted; the tags stay the caller's.</summary>
    private static void DeliverSample(ModuleState state, CheckRunContext context, MetricType type, string name, double value, string[] tags, int tagCount, string hostname, bool flushFirst, bool running)
    {
        context.Metrics++;
        var sample = new MetricSample
        {
            CheckId = context.CheckId,
            Type = type,
            Name = name,
            Value = value,
            Tags = tags.AsSpan(0, tagCount),
            Hostname = hostname,
            FlushFirstValue = flushFirst,
        };
        if (running)
        {
            state.Sink.DeliverFromRunning(sample, context);
        }
        else
        {
            state.Sink.Deliver(sample);
        }
    }

    [UnmanagedCallersOnly]
    private static nint SubmitServiceCheck(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("submit_service_check", args, count);
            if (!a.Expect(7, 7)
                || !CheckId(a, 1, state, out var context)
                || !a.String(2, "name", state.Strings, out string name)
                || !a.Int64(3, "status", out long status)
                || !a.OptionalString(5, "hostname", state.Strings, out string hostname)
                || !a.OptionalString(6, "message", state.Strings, out string message))
            {
                return 0;
            }

            if (status is < 0 or > 3)
            {
                Arguments.Raise(CPython.ExcValueError, $"submit_service_check() argument 4 (status) must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN), not {status}");
                return 0;
            }

            string[]? tags = SubmittedTags.Read(a, 4, state, context, name, out int tagCount);
            if (tags is null)
            {
                return 0;
            }

            if (context is not null)
            {
                context.ServiceChecks++;
                state.Sink.Deliver(new ServiceCheckSample
                {
                    CheckId = context.CheckId,
                    Name = name,
                    Status = (ServiceCheckStatus)status,
                    Tags = tags.AsSpan(0, tagCount),
                    Hostname = hostname,
                    Message = message,
                });
            }

            state.ReturnTags(tags, tagCount);
            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
    [UnmanagedCallersOnly]
    private static nint SubmitHistogramBucket(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("submit_histogram_bucket", args, count);
            if (!a.Expect(9, 10)
                || !CheckId(a, 1, state, out var context)
                || !a.String(2, "name", state.Strings, out string name)
                || !a.Int64(3, "value", out long value)
                || !a.Double(4, "lower_bound", out double lower)
                || !a.Double(5, "upper_bound", out double upper)
                || !a.Boolean(6, out bool monotonic)
                || !a.OptionalString(7, "hostname", state.Strings, out string hostname))
            {
                return 0;
            }

            string[]? tags = SubmittedTags.Read(a, 8, state, context, name, out int tagCount);
            if (tags is null)
            {
                return 0;
            }

            if (context is not null)
            {
                context.HistogramBuckets++;
                state.Sink.Deliver(new HistogramBucketSample
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

            state.ReturnTags(tags, tagCount);
            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MetricTypeIsValid(long type) => type is >= 0 and <= (long)MetricType.Historate;

    /// <summary>Reads the check id and finds its check (null, without error, when it names no loaded check: the sample is dropped and logged).</summary>
    private static bool CheckId(in Arguments a, int index, ModuleState state, out CheckRunContext? context)
    {
        if (!a.String(index, "check_id", state.Strings, out string checkId))
        {
            context = null;
            return false;
        }

        context = state.Sink.Resolve(checkId);
        return true;
    }
}
