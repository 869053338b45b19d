namespace PyChecks.Interop;

/// <summary>One frame seen by <see cref="FrameWalker"/>: its code object (as an id of a <see cref="CodeTable"/>) and its current line.</summary>
internal readonly record struct FrameSample(int CodeId, int Line);

/// <summary>
/// Walks a thread state's Python frames through the C API (<c>PyThreadState_GetFrame</c>, <c>PyFrame_GetBack</c>,
/// <c>PyFrame_GetCode</c>, <c>PyFrame_GetLineNumber</c>), innermost first. Costs a few tens of nanoseconds per
/// frame, against microseconds for <c>sys._current_frames()</c> plus <c>traceback.extract_stack</c>, which build
/// Python objects for every frame and line.
/// </summary>
internal static unsafe class FrameWalker
{
    /// <summary>The calling thread's thread state. Call with the GIL held.</summary>
    public static nint CurrentThreadState() => CPython.PyThreadState_Get();

    /// <summary>
    /// Writes the frames of <paramref name="threadState"/> into <paramref name="frames"/>, innermost first, at most
    /// its length. Call with the GIL held, on a thread state that cannot be deleted meanwhile (its thread is inside
    /// a run that detaches only under the GIL).
    /// </summary>
    /// <param name="threadState">Another thread's (detached) thread state.</param>
    /// <param name="frames">Receives the frames; its length is the depth limit.</param>
    /// <param name="codes">Interns the code objects.</param>
    /// <param name="truncated">Whether the stack had frames beyond the limit (the outermost ones, dropped).</param>
    /// <returns>The number of frames written.</returns>
    public static int Walk(nint threadState, Span<FrameSample> frames, CodeTable codes, out bool truncated)
    {
        truncated = false;
        int count = 0;
        nint frame = CPython.PyThreadState_GetFrame(threadState);
        while (frame != 0)
        {
            if (count == frames.Length)
            {
                truncated = true;
                CPython.Py_DecRef(frame);
                break;
            }

            nint code = CPython.PyFrame_GetCode(frame);
            int line = CPython.PyFrame_GetLineNumber(frame);
            frames[count++] = new FrameSample(code == 0 ? CodeTable.Unknown : codes.Intern(code), line);
            nint back = CPython.PyFrame_GetBack(frame);
            CPython.Py_DecRef(frame);
            frame = back;
        }

        // Materializing a frame object (3.11+) can fail on memory; the error is this thread's, not the walked one's.
        if (CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear();
        }

        return count;
    }
}

/// <summary>What a profile shows of a code object: read once, when the code object is first seen.</summary>
/// <param name="QualifiedName"><c>co_qualname</c> (3.11+), else <c>co_name</c>.</param>
/// <param name="FileName"><c>co_filename</c>.</param>
/// <param name="FirstLine"><c>co_firstlineno</c>.</param>
internal sealed record CodeInfo(string QualifiedName, string FileName, int FirstLine);

/// <summary>
/// Code objects seen by a walk, each given a small id and read once. The table keeps a reference to each, so an
/// address cannot be reused by another code object while the table lives; <see cref="Release"/> gives them back.
/// Used by one thread at a time (the sampler), with the GIL held except for <see cref="this[int]"/>.
/// </summary>
internal sealed unsafe class CodeTable
{
    /// <summary>The id of a frame whose code object could not be read.</summary>
    public const int Unknown = 0;

    private readonly Dictionary<nint, int> _ids = [];
    private readonly List<nint> _references = [];
    private readonly List<CodeInfo> _infos = [new CodeInfo("<unknown>", "<unknown>", 0)];
    private readonly string _nameAttribute = CPython.MinorVersion >= 11 ? "co_qualname" : "co_name";

    /// <summary>How many code objects the table knows, <see cref="Unknown"/> included.</summary>
    public int Count => _infos.Count;

    /// <summary>What is known of code object <paramref name="id"/>.</summary>
    public CodeInfo this[int id] => _infos[id];

    /// <summary>The id of <paramref name="code"/>, a new reference that the table takes over (kept or released).</summary>
    public int Intern(nint code)
    {
        if (_ids.TryGetValue(code, out int id))
        {
            CPython.Py_DecRef(code);
            return id;
        }

        id = _infos.Count;
        _infos.Add(Read(code));
        _ids.Add(code, id);
        _references.Add(code);
        return id;
    }

    /// <summary>Releases the code objects (now with the GIL held, else at the next scope exit of any thread).</summary>
    public void Release()
    {
        foreach (nint code in _references)
        {
            ThreadGil.DecRef(code);
        }

        _references.Clear();
        _ids.Clear();
    }

    private CodeInfo Read(nint code)
    {
        using var wrapper = PyObject.Borrow(code);
        return new CodeInfo(ReadString(wrapper, _nameAttribute), ReadString(wrapper, "co_filename"), ReadInt(wrapper, "co_firstlineno"));
    }

    private static string ReadString(PyObject code, string attribute)
    {
        try
        {
            using var value = code.GetAttr(attribute);
            return value.As<string>();
        }
        catch (Exception e) when (e is PythonException or InvalidCastException)
        {
            return "<unknown>";
        }
    }

    private static int ReadInt(PyObject code, string attribute)
    {
        try
        {
            using var value = code.GetAttr(attribute);
            return value.As<int>();
        }
        catch (Exception e) when (e is PythonException or InvalidCastException or OverflowException)
        {
            return 0;
        }
    }
}
