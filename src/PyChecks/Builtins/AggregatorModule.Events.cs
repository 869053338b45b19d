using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary><c>aggregator.submit_event</c>: reads the event dict with the Agent's rules for each field.</summary>
internal static unsafe partial class AggregatorModule
{
    [UnmanagedCallersOnly]
    private static nint SubmitEvent(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("submit_event", args, count);
            if (!a.Expect(3, 3) || !CheckId(a, 1, state, out var context))
            {
                return 0;
            }

            nint dict = args[2];
            if (!CPython.IsDict(dict)) // by type: an object whose __class__ says dict is not one
            {
                Arguments.Raise(CPython.ExcTypeError, "event must be a dict");
                return 0;
            }

            if (!EventField(dict, "msg_title"u8, state, out string title)
                || !EventField(dict, "msg_text"u8, state, out string text)
                || !EventField(dict, "priority"u8, state, out string priority)
                || !EventField(dict, "host"u8, state, out string host)
                || !EventField(dict, "alert_type"u8, state, out string alertType)
                || !EventField(dict, "aggregation_key"u8, state, out string aggregationKey)
                || !EventField(dict, "source_type_name"u8, state, out string sourceTypeName)
                || !EventField(dict, "event_type"u8, state, out string eventType))
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
                string[]? tags = SubmittedTags.Read(tagArgs, 0, state, context, title, out int tagCount);
                if (tags is null)
                {
                    return 0;
                }

                eventTags = tags.AsSpan(0, tagCount).ToArray();
                state.ReturnTags(tags, tagCount);
            }
            else if (context is not null)
            {
                eventTags = [.. context.ConfiguredTags];
            }

            if (context is not null)
            {
                context.Events++;
                state.Sink.Deliver(new CheckEvent
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

            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
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
    private static bool EventField(nint dict, ReadOnlySpan<byte> key, ModuleState state, out string value)
    {
        value = string.Empty;
        nint item = GetItem(dict, key);
        if (item == 0 || item == CPython.None)
        {
            return true;
        }

        if (state.Strings.TryGet(item, out value) || Arguments.TryReadSurrogates(item, out value))
        {
            return true;
        }

        if (Arguments.TryBytes(item, out var bytes))
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
