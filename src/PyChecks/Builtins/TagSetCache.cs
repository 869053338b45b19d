using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// The tags of a submission, decoded once for a list or tuple of the same <c>str</c> objects and kept with the running
/// check's configured tags appended: a check that passes the same constant tags sample after sample (a list defined once,
/// or a literal in the call) gets them without a lookup per tag, a copy into the tag buffer, or clearing it afterwards.
/// </summary>
/// <remarks>
/// An entry is found by the list's (or tuple's) address and then checked item by item against the objects it holds a
/// reference to, so equal addresses are the same immutable strings: a new list of the same strings is a hit, an item
/// added, removed or replaced is a miss. Only lists whose every item was already in the string cache are kept (tags
/// formatted anew for each sample would only churn it), seen twice in a row in their slot, of at most <see cref="MaxItems"/> items, for the running
/// check's context, and only where objects are read directly (<see cref="CPython.ObjectLayoutVerified"/>). An entry's
/// tags are not changed while a delivery uses them (a sender that submits again from Python). Not thread-safe: its
/// callers hold the GIL.
/// </remarks>
internal sealed unsafe class TagSetCache
{
    /// <summary>The longest list kept.</summary>
    public const int MaxItems = 8;

    private const int SlotBits = 7; // 128 entries

    private readonly Entry?[] _entries = new Entry?[1 << SlotBits];
    private int _lent;

    /// <summary>
    /// The tags kept for <paramref name="tags"/> (an exact list when <paramref name="isList"/>, else an exact tuple) and
    /// <paramref name="context"/>, configured tags included, with their <paramref name="count"/>; <see langword="null"/>
    /// when none are. Hand them back with <see cref="GiveBack"/> once delivered.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public string[]? TryLend(nint tags, bool isList, CheckRunContext context, out int count)
    {
        var entry = _entries[Slot(tags)];
        if (entry is not null && ReferenceEquals(entry.Context, context) && entry.Holds(tags, isList))
        {
            _lent++;
            count = entry.TagCount;
            return entry.Tags;
        }

        count = 0;
        return null;
    }

    /// <summary>Ends the use of tags lent by <see cref="TryLend"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void GiveBack() => _lent--;

    /// <summary>
    /// Keeps <paramref name="decoded"/>, the <paramref name="count"/> tags read from <paramref name="tags"/> for
    /// <paramref name="context"/> (configured tags appended), when <paramref name="allKnown"/> (every item was a string
    /// cache hit) and the list qualifies; replaces what its slot held.
    /// </summary>
    public void Remember(nint tags, bool isList, CheckRunContext context, bool allKnown, string[] decoded, int count)
    {
        if (!allKnown || _lent != 0 || !CPython.ObjectLayoutVerified)
        {
            return;
        }

        nint* items = Items(tags, isList, out nint length);
        if (length > MaxItems)
        {
            return;
        }

        // Kept at the second miss in a row for the same items in its slot: two lists that take turns in a slot (or one
        // changed between samples) would otherwise be swapped in at every sample, each time taking and dropping references.
        ulong key = Key(items, (int)length, context);
        ref var slot = ref _entries[Slot(tags)];
        var entry = slot ??= new Entry();
        if (entry.Candidate != key)
        {
            entry.Candidate = key;
            return;
        }

        entry.Replace(items, (int)length, context, decoded, count);
    }

    /// <summary>A hash of the items' addresses and the context, which tells a repeated miss from a new one.</summary>
    private static ulong Key(nint* items, int length, CheckRunContext context)
    {
        ulong key = (ulong)RuntimeHelpers.GetHashCode(context) + (ulong)length;
        for (int i = 0; i < length; i++)
        {
            key = (key ^ (ulong)items[i]) * 0x9E3779B97F4A7C15UL;
        }

        return key | 1; // never 0, an entry's first candidate
    }

    /// <summary>The address of the first item of an exact list or tuple, and their number (layout verified).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint* Items(nint tags, bool isList, out nint length)
    {
        length = ((nint*)tags)[2]; // ob_size
        return isList ? ((nint**)tags)[3] : (nint*)tags + 3; // a list's ob_item, a tuple's inline items
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(nint tags) => (int)(((ulong)tags * 0x9E3779B97F4A7C15UL) >> (64 - SlotBits));

    private sealed class Entry
    {
        private readonly nint[] _items = new nint[MaxItems];
        private int _itemCount;

        /// <summary>The key (<see cref="Key"/>) of the last miss in this slot.</summary>
        public ulong Candidate { get; set; }

        public CheckRunContext? Context { get; private set; }

        public string[] Tags { get; private set; } = [];

        public int TagCount { get; private set; }

        /// <summary>Whether <paramref name="tags"/> holds exactly this entry's items, in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(nint tags, bool isList)
        {
            if (!CPython.ObjectLayoutVerified)
            {
                return false;
            }

            nint* items = Items(tags, isList, out nint length);
            if (length != _itemCount)
            {
                return false;
            }

            for (int i = 0; i < _itemCount; i++)
            {
                if (items[i] != _items[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Holds <paramref name="items"/> (a reference each) and their tags instead of what it held.</summary>
        public void Replace(nint* items, int count, CheckRunContext context, string[] decoded, int tagCount)
        {
            // The new references first: an item may be one the entry already holds.
            for (int i = 0; i < count; i++)
            {
                CPython.Py_IncRef(items[i]);
            }

            for (int i = 0; i < _itemCount; i++)
            {
                CPython.Py_DecRef(_items[i]); // an exact str: its deallocation runs no Python code
            }

            new ReadOnlySpan<nint>(items, count).CopyTo(_items);
            _itemCount = count;
            Context = context;
            if (Tags.Length < tagCount)
            {
                Tags = new string[tagCount];
            }

            decoded.AsSpan(0, tagCount).CopyTo(Tags);
            Tags.AsSpan(tagCount).Clear();
            TagCount = tagCount;
        }
    }
}
