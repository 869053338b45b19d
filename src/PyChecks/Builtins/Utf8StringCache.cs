using System.Runtime.CompilerServices;
using System.Text;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// Turns Python <c>str</c> objects into .NET strings without allocating, and without calling into
/// Python, when the same object comes back (metric names and tags do, sample after sample: they are
/// constants of the check's code). Slots are picked by the object's address and each entry holds a
/// reference to its <c>str</c>: the object cannot die while cached, so its address cannot be reused by
/// another object, and since a <c>str</c> is immutable a matching address is a hit. Only exact
/// <c>str</c> objects are cached (a subclass could be anything). Bounded: a colliding newcomer replaces
/// the old entry and releases its reference. Not thread-safe: its callers hold the GIL.
/// </summary>
internal sealed unsafe class Utf8StringCache
{
    private const int Size = 4096; // a power of two
    private const int MaxCachedLength = 256;

    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>
    /// Reads the <c>str</c> at <paramref name="obj"/>. Returns false, with no Python error set, when it is
    /// not a <c>str</c> or has no UTF-8 form (lone surrogates).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(nint obj, out string value) => TryGetCached(obj, out value) || Miss(obj, ref _entries[Slot(obj)], out value);

    /// <summary>A hit: the string cached for <paramref name="obj"/>, found without calling into Python.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetCached(nint obj, out string value)
    {
        ref var entry = ref _entries[Slot(obj)];
        if (entry.Owner == obj && obj != 0)
        {
            value = entry.Value!;
            return true;
        }

        value = string.Empty;
        return false;
    }

    private static int Slot(nint obj) => (int)((nuint)obj >> 4) & (Size - 1);

    private static bool Miss(nint obj, ref Entry entry, out string value)
    {
        // Reading the text may raise (not a str), and raising may run Python's garbage collector, whose
        // finalizers could drop the last other reference to a borrowed item (a list's): hold one meanwhile.
        CPython.Py_IncRef(obj);
        try
        {
            return Read(obj, ref entry, out value);
        }
        finally
        {
            CPython.Py_DecRef(obj);
        }
    }

    private static bool Read(nint obj, ref Entry entry, out string value)
    {
        if (!Arguments.TryUtf8(obj, out var utf8))
        {
            value = string.Empty;
            return false;
        }

        value = utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= MaxCachedLength && CPython.IsExactType(obj, CPython.UnicodeType))
        {
            nint previous = entry.Owner;
            CPython.Py_IncRef(obj);
            entry = new Entry(obj, value);
            if (previous != 0)
            {
                CPython.Py_DecRef(previous); // an exact str: its deallocation runs no Python code
            }
        }

        return true;
    }

    private readonly record struct Entry(nint Owner, string? Value);
}
