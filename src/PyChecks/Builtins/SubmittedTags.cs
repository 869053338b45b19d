using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// Reads the tags of a submission into the rented buffer of <see cref="ModuleState"/>, then appends the check's
/// configured tags once each.
/// </summary>
internal static unsafe class SubmittedTags
{
    /// <summary>
    /// Reads tags into a rented buffer, then appends the check's configured tags. A str or a non-sequence is a
    /// TypeError; items that are neither str nor bytes are dropped (Datadog's rule), and so are bytes that are
    /// not UTF-8, with a warning (AgentCheck._normalize_tags_type's rule). <paramref name="subject"/> names the
    /// sample in that warning.
    /// </summary>
    public static string[]? Read(in Arguments a, int index, ModuleState state, CheckRunContext? context, string subject, out int count)
    {
        nint tags = a[index];
        bool isList = CPython.IsExactType(tags, CPython.ListType);
        if (isList || CPython.IsExactType(tags, CPython.TupleType))
        {
            return ReadListOrTuple(tags, isList, state, context, subject, out count);
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
            return ReadListOrTuple(fast, CPython.IsExactType(fast, CPython.ListType), state, context, subject, out count);
        }
        finally
        {
            CPython.Py_DecRef(fast);
        }
    }

    /// <summary>Reads the tags of an exact list or tuple (the leaf accessors apply), then the configured tags.</summary>
    public static string[] ReadListOrTuple(nint tags, bool isList, ModuleState state, CheckRunContext? context, string subject, out int count) =>
        ReadListOrTuple(tags, isList, state, context, subject, out count, out _);

    /// <summary>
    /// Reads the tags of an exact list or tuple, then the configured tags; <paramref name="allKnown"/> is set when every
    /// item was a <c>str</c> the string cache held already.
    /// </summary>
    public static string[] ReadListOrTuple(nint tags, bool isList, ModuleState state, CheckRunContext? context, string subject, out int count, out bool allKnown)
    {
        int length = (int)(isList ? CPython.NoGCTransition.PyList_Size(tags) : CPython.NoGCTransition.PyTuple_Size(tags));
        string[] buffer = state.RentTags(length + (context?.ConfiguredTags.Length ?? 0));
        count = 0;
        allKnown = true;

        for (int i = 0; i < length; i++)
        {
            nint item = isList ? CPython.NoGCTransition.PyList_GetItem(tags, i) : CPython.NoGCTransition.PyTuple_GetItem(tags, i);
            if (state.Strings.TryGetCached(item, out string tag))
            {
                buffer[count++] = tag;
                continue;
            }

            allKnown = false;
            ReadUncached(item, buffer, ref count, state, subject);

            // That called into Python, which could have run a finalizer that shrank the list.
            if (isList)
            {
                length = Math.Min(length, (int)CPython.NoGCTransition.PyList_Size(tags));
            }
        }

        return AppendConfigured(buffer, count, context, out count);
    }

    /// <summary>
    /// A tag the string cache does not hold: read through Python (kept apart from <see cref="ReadListOrTuple(nint, bool, ModuleState, CheckRunContext?, string, out int, out bool)"/>, whose
    /// common case then makes no call that leaves cooperative mode, and so sets up no transition frame).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadUncached(nint item, string[] buffer, ref int count, ModuleState state, string subject)
    {
        if (state.Strings.TryGet(item, out string tag) || Arguments.TryReadSurrogates(item, out tag))
        {
            buffer[count++] = tag; // a str with lone surrogates is kept as read, like a name
        }
        else if (Arguments.TryBytes(item, out var bytes))
        {
            if (TryDecodeStrict(bytes, out tag))
            {
                buffer[count++] = tag;
            }
            else
            {
                state.Sink.TagNotUtf8(bytes, subject);
            }
        }
    }

    public static string[] AppendConfigured(string[] buffer, int count, CheckRunContext? context, out int total)
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
}
