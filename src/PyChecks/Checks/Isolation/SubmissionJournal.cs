using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The records one instance submitted and its worker has not yet sent, in a file of the host's private folder that
/// the worker maps shared: a record is complete there once <c>length</c> says so, and it survives the process. When
/// a worker dies (a segfault, <c>abort</c>, SIGKILL) the host reads what it never received from the file, so nothing
/// a check submitted before the fault is lost, while the worker still sends one frame per run (in the write of the
/// run's result) or per 32 KiB.
/// </summary>
/// <remarks>
/// Layout: <c>u32 sequence</c>, <c>u32 length</c>, the frame prefix right-aligned before byte 64, the records from byte
/// 64. The frame of sequence <c>n</c> carries <c>n</c>; after sending it the worker sets the length to 0, then the
/// sequence to <c>n + 1</c>, so that whatever moment the process dies at, the host can tell sent records from unsent ones.
/// </remarks>
internal sealed unsafe class SubmissionJournal : IDisposable
{
    /// <summary>Where the records begin.</summary>
    public const int RecordsOffset = 64;

    /// <summary>The size of a journal file.</summary>
    public const int Size = 64 << 10;

    private const int Capacity = Size - RecordsOffset;

    private readonly uint _handle;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private int _disposed;

    private SubmissionJournal(uint handle, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _handle = handle;
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer;
        Sequence = 1;
        Length = 0;
    }

    private uint Sequence
    {
        get => Volatile.Read(ref *(uint*)_base);
        set => Volatile.Write(ref *(uint*)_base, value);
    }

    private int Length
    {
        get => Volatile.Read(ref *(int*)(_base + 4));
        set => Volatile.Write(ref *(int*)(_base + 4), value);
    }

    /// <summary>The journal file of instance <paramref name="handle"/> in worker <paramref name="pid"/>.</summary>
    public static string PathOf(string folder, int pid, uint handle) => System.IO.Path.Combine(folder, $"j{pid}.{handle}");

    /// <summary>Creates the journal of <paramref name="handle"/> in this worker process.</summary>
    public static SubmissionJournal Create(string folder, uint handle)
    {
        string path = PathOf(folder, Environment.ProcessId, handle);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Create, null, Size, MemoryMappedFileAccess.ReadWrite);
        return new SubmissionJournal(handle, file, file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite));
    }

    /// <summary>Appends one record; sends the journal first when the record does not fit, and after it past the flush size.</summary>
    public void Append(ReadOnlySpan<byte> record, FrameChannel channel)
    {
        if (record.Length > Capacity - Length)
        {
            Flush(channel);
            if (record.Length > Capacity)
            {
                SendAlone(record, channel);
                return;
            }
        }

        int length = Length;
        record.CopyTo(new Span<byte>(_base + RecordsOffset + length, record.Length));
        Length = length + record.Length;
        if (Length >= WorkerProtocol.FlushBytes)
        {
            Flush(channel);
        }
    }

    /// <summary>
    /// Sends the unsent records as one <see cref="MessageType.Submissions"/> frame, followed in the same write by the
    /// whole frames of <paramref name="trailer"/> (a run's result), when they fit after the records; else in a write of their own.
    /// </summary>
    public void Flush(FrameChannel channel, ReadOnlySpan<byte> trailer = default)
    {
        int length = Length;
        if (length == 0)
        {
            if (!trailer.IsEmpty)
            {
                channel.Send(trailer);
            }

            return;
        }

        uint sequence = Sequence;
        Span<byte> prefix = stackalloc byte[24];
        int prefixLength = Prefix(prefix, sequence, length);
        bool together = trailer.Length <= Capacity - length;
        var frame = new Span<byte>(_base + RecordsOffset - prefixLength, prefixLength + length + (together ? trailer.Length : 0));
        prefix[..prefixLength].CopyTo(frame);
        if (together)
        {
            // After the records, outside Length: never read as records, whatever moment the process dies at.
            trailer.CopyTo(frame[(prefixLength + length)..]);
        }

        channel.Send(frame);
        Length = 0;
        Sequence = sequence + 1;
        if (!together)
        {
            channel.Send(trailer);
        }
    }

    // A record larger than the journal (a huge event): sent in a frame of its own, under a sequence number of its own.
    private void SendAlone(ReadOnlySpan<byte> record, FrameChannel channel)
    {
        uint sequence = Sequence;
        var writer = new FrameWriter(record.Length + 32);
        writer.BeginFrame(MessageType.Submissions);
        writer.WriteVarUInt(_handle);
        writer.WriteVarUInt(sequence);
        writer.WriteRaw(record);
        writer.EndFrame();
        channel.Send(writer);
        Sequence = sequence + 1;
    }

    private int Prefix(Span<byte> prefix, uint sequence, int length)
    {
        var head = new FrameWriter(24);
        head.WriteByte((byte)MessageType.Submissions);
        head.WriteVarUInt(_handle);
        head.WriteVarUInt(sequence);
        int payload = head.Length + length;
        BinaryPrimitives.WriteInt32LittleEndian(prefix, payload);
        head.Written.CopyTo(prefix[4..]);
        return 4 + head.Length;
    }

    /// <summary>
    /// In the host, after the worker died: the records of <paramref name="path"/> that no frame brought, given the last
    /// sequence number received; empty when there are none (or the file is gone or makes no sense).
    /// </summary>
    public static byte[] ReadUnsent(string path, uint lastReceived)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        if (bytes.Length != Size)
        {
            return [];
        }

        uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        return sequence <= lastReceived || length is <= 0 or > Capacity ? [] : bytes.AsSpan(RecordsOffset, length).ToArray();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
        }
    }
}
