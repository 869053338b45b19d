namespace PyChecks.Interop;

/// <summary>
/// Code objects seen by a walk, each given a small id and read once. The table keeps a reference to each, so an
/// address cannot be reused by another code object while the table lives; <see cref="Release"/> gives them back.
/// Used by one thread at a time (the sampler), with the GIL held except for <see cref="this[int]"/> and
/// <see cref="TryGetLayout"/>.
/// </summary>
internal sealed unsafe class CodeTable
{
    /// <summary>The id of a frame whose code object could not be read.</summary>
    public const int Unknown = 0;

    private readonly Dictionary<nint, int> _ids = [];
    private readonly List<CodeLayout> _layouts = [default];
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
        _layouts.Add(FrameReader.LayoutOf(code));
        _ids.Add(code, id);
        _references.Add(code);
        return id;
    }

    /// <summary>
    /// The id and bytecode bounds of <paramref name="code"/> if the table holds it (then the address is that code
    /// object's: the table's reference keeps it alive). Without the GIL, from the thread that owns the table.
    /// </summary>
    public bool TryGetLayout(nint code, out int id, out CodeLayout layout)
    {
        if (_ids.TryGetValue(code, out id))
        {
            layout = _layouts[id];
            return true;
        }

        layout = default;
        return false;
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
