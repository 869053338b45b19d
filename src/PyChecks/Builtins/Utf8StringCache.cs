using System.Text;

namespace PyChecks.Builtins;

/// <summary>
/// Turns the UTF-8 bytes of Python strings into .NET strings without allocating when the same text
/// comes back (metric names and tags do, run after run). Slots are picked by the Python object's
/// address, and a hit is confirmed by comparing the bytes, so a reused address with other text simply
/// misses. Bounded: a colliding newcomer replaces the old entry. Not thread-safe: its callers hold the GIL.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int Size = 4096; // a power of two
    private const int MaxCachedLength = 256;

    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>Returns the string for <paramref name="utf8"/>, the text of the Python object at <paramref name="owner"/>.</summary>
    public string Get(nint owner, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxCachedLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        ref Entry entry = ref _entries[(int)((nuint)owner >> 4) & (Size - 1)];
        if (entry.Utf8 is { } cached && utf8.SequenceEqual(cached))
        {
            return entry.Value!;
        }

        string value = Encoding.UTF8.GetString(utf8);
        entry = new Entry(utf8.ToArray(), value);
        return value;
    }

    private readonly record struct Entry(byte[]? Utf8, string? Value);
}
