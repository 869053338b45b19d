using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary><c>aggregator.submit_event_platform_event</c>: what every <c>database_monitoring_*</c> call of the toolkit submits.</summary>
internal static unsafe partial class AggregatorModule
{
    [UnmanagedCallersOnly]
    private static nint SubmitEventPlatformEvent(nint self, nint* args, nint count)
    {
        try
        {
            var state = ModuleState.Of(self);
            var a = new Arguments("submit_event_platform_event", args, count);
            if (!a.Expect(4, 4)
                || !CheckId(a, 1, state, out var context)
                || !RawEvent(a, 2, out byte[] rawEvent)
                || !a.String(3, "event_type", state.Strings, out string eventType))
            {
                return 0;
            }

            if (context is not null)
            {
                state.Sink.Deliver(new EventPlatformEvent { CheckId = context.CheckId, EventType = eventType, RawEvent = rawEvent });
            }

            return EntryPoint.None();
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>The event's bytes: a str as UTF-8 (UnicodeEncodeError for lone surrogates), or bytes as given (CPython's <c>s#</c>).</summary>
    private static bool RawEvent(in Arguments a, int index, out byte[] raw)
    {
        raw = [];
        nint obj = a[index];
        nint size;
        if (CPython.IsStr(obj))
        {
            byte* utf8 = CPython.PyUnicode_AsUTF8AndSize(obj, &size);
            if (utf8 == null)
            {
                return false;
            }

            raw = new ReadOnlySpan<byte>(utf8, checked((int)size)).ToArray();
            return true;
        }

        byte* data;
        if (CPython.IsBytes(obj) && CPython.PyBytes_AsStringAndSize(obj, &data, &size) == 0)
        {
            raw = new ReadOnlySpan<byte>(data, checked((int)size)).ToArray();
            return true;
        }

        return a.ArgumentTypeError(index, "raw_event", "str or bytes");
    }
}
