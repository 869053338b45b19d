using System.Runtime.InteropServices;

namespace PyChecks.Interop;

/// <summary>
/// Reads a thread state's Python frames without the GIL, from the sampler's thread while the thread that owns them
/// runs: the reads are copies by <c>process_vm_readv</c> on the process itself, which return an error instead of
/// faulting when an address is no longer mapped (a frame popped, a data stack chunk freed). CPython 3.12 and 3.13 on
/// 64-bit Linux, whose frames are <c>_PyInterpreterFrame</c>s in the thread's data stack.
/// </summary>
/// <remarks>
/// Nothing read is trusted. A frame counts only when its code object is one the <see cref="CodeTable"/> holds a
/// reference to (so the address is that code object's, and its name is what the table read under the GIL); its
/// instruction pointer must fall inside that code; its owner must be one CPython uses. After the walk, the frames and
/// the current frame are read again (see <see cref="Unchanged"/>): if the stack moved during the read, the read is
/// <see cref="FrameReadStatus.Inconsistent"/>, and the caller samples that run under the GIL from then on. Lines come from
/// <c>PyCode_Addr2Line</c> on the held code object, which only reads its immutable line table. The layout (field
/// offsets) is checked against the C-API walk on every tick that holds the GIL (see <see cref="Matches"/>).
/// </remarks>
internal sealed unsafe partial class FrameReader
{
    private const int FrameHeaderSize = 72;
    private const int OwnedByGenerator = 1;
    private const int OwnedByCStack = 3;
    private const int MaxSkipped = 64;

    private static readonly Layout s_python312 = new(ThreadStateFrame: 56, ViaCFrame: true, DataStackChunk: 232, DataStackTop: 240, Code: 0, Previous: 8, Instruction: 56, Owner: 70, CodeUnits: 16, FirstTraceable: 176, Bytecode: 192);
    private static readonly Layout s_python313 = new(ThreadStateFrame: 72, ViaCFrame: false, DataStackChunk: 232, DataStackTop: 240, Code: 0, Previous: 8, Instruction: 56, Owner: 70, CodeUnits: 16, FirstTraceable: 184, Bytecode: 200);

    private readonly Layout _layout;
    private readonly int _pid = Environment.ProcessId;
    private nint[] _visited = new nint[256];
    private nint[] _codes = new nint[256];
    private nint[] _instructions = new nint[256];
    private FrameSample[] _check = new FrameSample[256];
    private IoVec[] _local = new IoVec[257];
    private IoVec[] _remote = new IoVec[257];
    private byte[] _again = new byte[257 * FrameHeaderSize];
    private readonly byte[] _chunk = new byte[64 * 1024];

    private FrameReader(Layout layout)
    {
        _layout = layout;
    }

    /// <summary>
    /// A reader for the bound CPython, or <see langword="null"/> when there is none: another version (3.9–3.11 keep
    /// sampling under the GIL), another OS or word size, no <c>PyCode_Addr2Line</c>, or a process that may not read
    /// itself (a seccomp filter, say).
    /// </summary>
    public static FrameReader? TryCreate()
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8 || CPython.PyCode_Addr2Line == null)
        {
            return null;
        }

        var layout = LayoutFor(CPython.MinorVersion);
        if (layout is null)
        {
            return null;
        }

        try
        {
            var reader = new FrameReader(layout);
            long probe = 0x5079436865636B73;
            return reader.TryReadPointer((nint)(&probe), out nint copy) && copy == (nint)probe ? reader : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads <paramref name="threadState"/>'s frames into <paramref name="frames"/>, innermost first, as
    /// <see cref="FrameWalker.Walk"/> would under the GIL: the same frames (incomplete ones skipped), code ids and lines.
    /// Without the GIL; the thread state's memory may even be gone (then the read fails, it does not fault).
    /// </summary>
    /// <param name="threadState">The thread state of a thread that may be running.</param>
    /// <param name="frames">Receives the frames; its length is the depth limit.</param>
    /// <param name="codes">The code objects known, by address; not changed.</param>
    /// <param name="count">The number of frames written (meaningful only when the status is <see cref="FrameReadStatus.Read"/>).</param>
    /// <param name="truncated">Whether the stack had frames beyond the limit.</param>
    public FrameReadStatus Read(nint threadState, Span<FrameSample> frames, CodeTable codes, out int count, out bool truncated)
    {
        count = 0;
        truncated = false;
        if (_visited.Length < frames.Length + MaxSkipped)
        {
            int size = frames.Length + MaxSkipped;
            _visited = new nint[size];
            _codes = new nint[size];
            _instructions = new nint[size];
            _local = new IoVec[size + 1];
            _remote = new IoVec[size + 1];
            _again = new byte[(size + 1) * FrameHeaderSize];
        }

        if (!TryReadCurrentFrame(threadState, out nint entry, out nint frame))
        {
            return FrameReadStatus.Inconsistent;
        }

        // The thread's data stack chunk, in one copy: the frames in it are read from the copy, the others (in older
        // chunks, in generators, 3.12's entry frames on the C stack) one by one.
        nint chunk = 0, chunkEnd = 0;
        if (TryReadPointer(threadState + _layout.DataStackChunk, out nint start) && TryReadPointer(threadState + _layout.DataStackTop, out nint top)
            && start != 0 && (start & 7) == 0 && top > start && top - start <= _chunk.Length)
        {
            fixed (byte* into = _chunk)
            {
                if (TryRead(start, into, (int)(top - start)))
                {
                    (chunk, chunkEnd) = (start, top);
                }
            }
        }

        nint first = frame;
        int visited = 0;
        byte* header = stackalloc byte[FrameHeaderSize];
        while (frame != 0)
        {
            if (visited == _visited.Length || (frame & 7) != 0)
            {
                return FrameReadStatus.Inconsistent;
            }

            if (frame >= chunk && frame + FrameHeaderSize <= chunkEnd)
            {
                new ReadOnlySpan<byte>(_chunk, (int)(frame - chunk), FrameHeaderSize).CopyTo(new Span<byte>(header, FrameHeaderSize));
            }
            else if (!TryRead(frame, header, FrameHeaderSize))
            {
                return FrameReadStatus.Inconsistent;
            }

            nint code = *(nint*)(header + _layout.Code);
            nint previous = *(nint*)(header + _layout.Previous);
            nint instruction = *(nint*)(header + _layout.Instruction);
            _codes[visited] = code;
            _instructions[visited] = instruction;
            _visited[visited++] = frame;
            int owner = header[_layout.Owner];
            frame = previous;
            if (owner == OwnedByCStack)
            {
                continue; // the C stack's entry frame between two evaluation loops: never shown
            }

            if (owner > OwnedByCStack)
            {
                return FrameReadStatus.Inconsistent;
            }

            if (count == frames.Length)
            {
                truncated = true; // a frame beyond the limit: the walk under the GIL marks the cut the same way
                break;
            }

            if (!codes.TryGetLayout(code, out int id, out var layout))
            {
                return FrameReadStatus.UnknownCode;
            }

            long offset = instruction - layout.Bytecode;
            if ((offset & 1) != 0)
            {
                return FrameReadStatus.Inconsistent;
            }

            long unit = offset / 2;
            if (owner != OwnedByGenerator && unit < layout.FirstTraceable)
            {
                continue; // a frame being set up: not complete yet, as PyFrame_GetBack skips it
            }

            if (unit < 0 || unit >= layout.Units)
            {
                return FrameReadStatus.Inconsistent;
            }

            frames[count++] = new FrameSample(id, CPython.PyCode_Addr2Line(code, (int)offset));
        }

        return Unchanged(threadState, entry, first, visited) ? FrameReadStatus.Read : FrameReadStatus.Inconsistent;
    }

    /// <summary>
    /// Whether a read of <paramref name="threadState"/> gives the frames the C-API walk just gave. Call with the GIL
    /// held, after that walk (which interned every code object in the limit), on a thread that cannot run Python.
    /// </summary>
    public bool Matches(nint threadState, ReadOnlySpan<FrameSample> walked, bool walkedTruncated, int depth, CodeTable codes, out string detail)
    {
        if (_check.Length < depth)
        {
            _check = new FrameSample[depth];
        }

        var status = Read(threadState, _check.AsSpan(0, depth), codes, out int count, out bool truncated);
        if (status != FrameReadStatus.Read)
        {
            detail = $"read {status}, against {walked.Length} frame(s) walked";
            return false;
        }

        if (count != walked.Length || truncated != walkedTruncated || !_check.AsSpan(0, count).SequenceEqual(walked))
        {
            detail = $"read {count} frame(s) (truncated: {truncated}), walked {walked.Length} (truncated: {walkedTruncated}); " +
                $"innermost read {(count > 0 ? _check[0] : default)}, walked {(walked.Length > 0 ? walked[0] : default)}";
            return false;
        }

        detail = string.Empty;
        return true;
    }

    /// <summary>Reads the code object fields the reader checks, from a code object the caller holds a reference to.</summary>
    /// <remarks>Call with the GIL held; <see langword="default"/> on a version the reader does not read.</remarks>
    public static CodeLayout LayoutOf(nint code) => LayoutFor(CPython.MinorVersion) is { } layout
        ? new CodeLayout(code + layout.Bytecode, *(long*)(code + layout.CodeUnits), *(int*)(code + layout.FirstTraceable))
        : default;

    private static Layout? LayoutFor(int minor) => minor switch
    {
        // PyThreadState.cframe → _PyCFrame.current_frame, datastack_chunk, datastack_top; _PyInterpreterFrame.f_code,
        // previous, prev_instr, owner;
        // PyCodeObject: ob_size (code units), _co_firsttraceable, co_code_adaptive.
        12 => s_python312,

        // PyThreadState.current_frame, datastack_chunk, datastack_top; _PyInterpreterFrame.f_executable, previous,
        // instr_ptr, owner; as above.
        13 => s_python313,
        _ => null,
    };

    /// <summary>The thread's current frame; on 3.12 through its <c>_PyCFrame</c> (<paramref name="entry"/>), otherwise directly.</summary>
    private bool TryReadCurrentFrame(nint threadState, out nint entry, out nint frame)
    {
        entry = 0;
        frame = 0;
        if (!TryReadPointer(threadState + _layout.ThreadStateFrame, out nint pointer))
        {
            return false;
        }

        if (!_layout.ViaCFrame)
        {
            frame = pointer;
            return true;
        }

        entry = pointer;
        return pointer != 0 && (pointer & 7) == 0 && TryReadPointer(pointer, out frame);
    }

    /// <summary>
    /// Whether the stack read is one that existed: read again (every visited frame in one call, then the current frame),
    /// every frame has the same code and caller, every frame but the innermost the same instruction (a caller waits on
    /// its call; the innermost runs on), and the thread's current frame is the one the walk started from (on 3.12,
    /// through the same evaluation loop). A stack that moved below its top, or whose top was popped and replaced, fails.
    /// </summary>
    private bool Unchanged(nint threadState, nint entry, nint first, int visited)
    {
        if (visited > 0)
        {
            fixed (byte* copy = _again)
            fixed (IoVec* local = _local)
            fixed (IoVec* remote = _remote)
            {
                for (int i = 0; i < visited; i++)
                {
                    local[i] = new IoVec(copy + (i * FrameHeaderSize), FrameHeaderSize);
                    remote[i] = new IoVec((byte*)_visited[i], FrameHeaderSize);
                }

                if (ProcessVmReadv(_pid, local, (nuint)visited, remote, (nuint)visited, 0) != visited * (nint)FrameHeaderSize)
                {
                    return false;
                }

                for (int i = 0; i < visited; i++)
                {
                    byte* header = copy + (i * FrameHeaderSize);
                    if (*(nint*)(header + _layout.Code) != _codes[i]
                        || (i + 1 < visited && *(nint*)(header + _layout.Previous) != _visited[i + 1])
                        || (i > 0 && *(nint*)(header + _layout.Instruction) != _instructions[i]))
                    {
                        return false;
                    }
                }
            }
        }

        return TryReadCurrentFrame(threadState, out nint entryAgain, out nint current) && current == first && entryAgain == entry;
    }

    private bool TryReadPointer(nint address, out nint value)
    {
        nint result;
        bool ok = TryRead(address, (byte*)&result, sizeof(nint));
        value = ok ? result : 0;
        return ok;
    }

    private bool TryRead(nint address, byte* into, int length)
    {
        var local = new IoVec(into, length);
        var remote = new IoVec((byte*)address, length);
        return ProcessVmReadv(_pid, &local, 1, &remote, 1, 0) == length;
    }

    [LibraryImport("libc.so.6", EntryPoint = "process_vm_readv")]
    private static partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct IoVec(byte* address, nint length)
    {
        public readonly byte* Address = address;
        public readonly nint Length = length;
    }

    /// <summary>Field offsets of one CPython version.</summary>
    /// <remarks><c>DataStackChunk</c>, <c>DataStackTop</c>: <c>PyThreadState.datastack_chunk</c> and <c>datastack_top</c>, the chunk of the data stack the newest frames are in and the end of its frames.</remarks>
    private sealed record Layout(int ThreadStateFrame, bool ViaCFrame, int DataStackChunk, int DataStackTop, int Code, int Previous, int Instruction, int Owner, int CodeUnits, int FirstTraceable, int Bytecode);
}
