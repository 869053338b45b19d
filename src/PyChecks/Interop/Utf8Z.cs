using System.Runtime.CompilerServices;
using System.Text;

namespace PyChecks.Interop;

/// <summary>A NUL-terminated UTF-8 copy of a string for the C API: on the stack when short, in tracked native memory otherwise.</summary>
internal unsafe ref struct Utf8Z
{
    private const int InlineSize = 128;
#pragma warning disable CS0649 // written through a pointer
    private InlineBytes _inline;
#pragma warning restore CS0649
    private byte* _heap;

    public Utf8Z(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
        Span<byte> target;
        if (max <= InlineSize)
        {
            target = new Span<byte>(Unsafe.AsPointer(ref _inline), InlineSize);
        }
        else
        {
            _heap = (byte*)TrackedAllocator.Alloc((nuint)max);
            target = new Span<byte>(_heap, max);
        }

        int written = Encoding.UTF8.GetBytes(value, target);
        target[written] = 0;
    }

    /// <summary>The string's address; valid while this value lives where it is.</summary>
    public readonly byte* Pointer => _heap != null ? _heap : (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in _inline));

    public void Dispose()
    {
        if (_heap != null)
        {
            TrackedAllocator.Free(_heap);
            _heap = null;
        }
    }

    [InlineArray(InlineSize)]
    private struct InlineBytes
    {
        private byte _element;
    }
}
