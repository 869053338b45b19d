using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks;

/// <summary>
/// A strong reference to a Python object. Dispose it to release the reference at once; a reference
/// left to the garbage collector is queued by the finalizer and released the next time any thread
/// leaves a GIL scope. Every member that touches Python needs the GIL (<c>PythonRuntime.AcquireGil()</c>);
/// <see cref="Dispose"/> does not.
/// </summary>
public sealed unsafe partial class PyObject : IDisposable
{
    private static PyObject? s_none;
    private static PyObject? s_true;
    private static PyObject? s_false;

    private readonly bool _static;
    private nint _handle;

    private PyObject(nint handle, bool isStatic)
    {
        _handle = handle;
        _static = isStatic;
        if (isStatic)
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Python's <c>None</c>.</summary>
    public static PyObject None => s_none ?? throw NotRunning();

    /// <summary>Python's <c>True</c>.</summary>
    public static PyObject True => s_true ?? throw NotRunning();

    /// <summary>Python's <c>False</c>.</summary>
    public static PyObject False => s_false ?? throw NotRunning();

    /// <summary>Whether this is Python's <c>None</c>.</summary>
    public bool IsNone => _handle == CPython.None && _handle != 0;

    /// <summary>The <c>PyObject*</c>; throws once disposed.</summary>
    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(PyObject));

    /// <summary>Releases the reference: now if this thread holds the GIL, otherwise at the next scope exit of any thread.</summary>
    public void Dispose()
    {
        if (_static)
        {
            return;
        }

        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
        {
            GC.SuppressFinalize(this);
            ThreadGil.DecRef(handle);
        }
    }

    /// <summary>Queues the reference for release under the GIL.</summary>
    ~PyObject()
    {
        if (_handle != 0)
        {
            ThreadGil.QueueDecRef(_handle);
        }
    }

    /// <summary>Imports a module (<c>import name</c>).</summary>
    /// <exception cref="PythonException">The import raised.</exception>
    public static unsafe PyObject Import(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThreadGil.EnsureHeld();
        using var utf8 = new Utf8Z(name);
        return Steal(CPython.PyImport_ImportModule(utf8.Pointer));
    }

    /// <summary>Creates a module named <paramref name="name"/> and runs <paramref name="source"/> in it; the module is not added to <c>sys.modules</c>.</summary>
    /// <exception cref="PythonException">The source raised or does not compile.</exception>
    public static unsafe PyObject CreateModule(string name, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(source);
        ThreadGil.EnsureHeld();
        using var types = Import("types");
        using var moduleType = types.GetAttr("ModuleType");
        using var nameObject = From(name);
        var module = moduleType.Call(nameObject);
        try
        {
            using var globals = module.GetAttr("__dict__");
            using var code = new Utf8Z(source);
            Steal(CPython.PyRun_String(code.Pointer, CPython.FileInput, globals.Handle, globals.Handle)).Dispose();
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Gets an attribute (<c>obj.name</c>).</summary>
    /// <exception cref="PythonException">The attribute is missing (<c>AttributeError</c>) or its getter raised.</exception>
    public unsafe PyObject GetAttr(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThreadGil.EnsureHeld();
        using var utf8 = new Utf8Z(name);
        return Steal(CPython.PyObject_GetAttrString(Handle, utf8.Pointer));
    }

    /// <summary>Whether the object has an attribute (<c>hasattr(obj, name)</c>).</summary>
    public unsafe bool HasAttr(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThreadGil.EnsureHeld();
        using var utf8 = new Utf8Z(name);
        return CPython.PyObject_HasAttrString(Handle, utf8.Pointer) != 0;
    }

    /// <summary>Sets an attribute (<c>obj.name = value</c>).</summary>
    public unsafe void SetAttr(string name, PyObject value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ThreadGil.EnsureHeld();
        using var utf8 = new Utf8Z(name);
        if (CPython.PyObject_SetAttrString(Handle, utf8.Pointer, value.Handle) != 0)
        {
            PythonException.ThrowCurrent();
        }
    }

    /// <summary>Gets an item (<c>obj[key]</c>).</summary>
    public PyObject GetItem(PyObject key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThreadGil.EnsureHeld();
        return Steal(CPython.PyObject_GetItem(Handle, key.Handle));
    }

    /// <summary>Sets an item (<c>obj[key] = value</c>).</summary>
    public void SetItem(PyObject key, PyObject value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ThreadGil.EnsureHeld();
        if (CPython.PyObject_SetItem(Handle, key.Handle, value.Handle) != 0)
        {
            PythonException.ThrowCurrent();
        }
    }

    /// <summary>Calls the object with no arguments (<c>obj()</c>).</summary>
    /// <exception cref="PythonException">The call raised.</exception>
    public PyObject Call()
    {
        ThreadGil.EnsureHeld();
        return Steal(CPython.PyObject_CallNoArgs(Handle));
    }

    /// <summary>
    /// Calls the object with no arguments; an empty result (<c>None</c>, <c>''</c>, <c>[]</c>) is released
    /// at once and reported as <see langword="null"/>, without allocating. For per-run calls whose result
    /// is usually empty.
    /// </summary>
    /// <exception cref="PythonException">The call raised.</exception>
    internal PyObject? CallUnlessEmpty()
    {
        ThreadGil.EnsureHeld();
        nint result = CPython.PyObject_CallNoArgs(Handle);
        if (result == 0)
        {
            throw PythonException.FetchCurrent();
        }

        if (result == CPython.None || result == CPython.EmptyString || (CPython.IsExactType(result, CPython.ListType) && CPython.NoGCTransition.PyList_Size(result) == 0))
        {
            CPython.Py_DecRef(result);
            return null;
        }

        return Steal(result);
    }

    /// <summary>Calls the object with positional arguments (<c>obj(*args)</c>).</summary>
    /// <exception cref="PythonException">The call raised.</exception>
    public PyObject Call(params ReadOnlySpan<PyObject> args) => Call(args, null);

    /// <summary>Calls the object with positional and keyword arguments (<c>obj(*args, **kwargs)</c>).</summary>
    /// <exception cref="PythonException">The call raised.</exception>
    public PyObject Call(ReadOnlySpan<PyObject> args, IEnumerable<KeyValuePair<string, PyObject>>? kwargs)
    {
        ThreadGil.EnsureHeld();
        nint callable = Handle;
        if (args.IsEmpty && kwargs is null)
        {
            return Steal(CPython.PyObject_CallNoArgs(callable));
        }

        nint tuple = NewTuple(args);
        nint dict = 0;
        try
        {
            if (kwargs is not null)
            {
                dict = NewDict(kwargs);
            }

            return Steal(CPython.PyObject_Call(callable, tuple, dict));
        }
        finally
        {
            CPython.Py_DecRef(tuple);
            if (dict != 0)
            {
                CPython.Py_DecRef(dict);
            }
        }
    }

    /// <summary>Calls the method <paramref name="name"/> (<c>obj.name(*args)</c>).</summary>
    public PyObject CallMethod(string name, params ReadOnlySpan<PyObject> args)
    {
        using var method = GetAttr(name);
        return method.Call(args);
    }

    /// <summary><c>repr(obj)</c>.</summary>
    public string Repr()
    {
        ThreadGil.EnsureHeld();
        using var repr = Steal(CPython.PyObject_Repr(Handle));
        return ReadString(repr.Handle);
    }

    /// <summary>The name of the object's type (<c>type(obj).__name__</c>).</summary>
    public string TypeName
    {
        get
        {
            ThreadGil.EnsureHeld();
            using var type = Steal(CPython.PyObject_Type(Handle));
            using var name = type.GetAttr("__name__");
            return ReadString(name.Handle);
        }
    }

    /// <summary><c>str(obj)</c> when the current thread holds the GIL; otherwise a placeholder, so that debuggers and logs never call Python without it.</summary>
    public override string ToString()
    {
        if (_handle == 0)
        {
            return "<disposed PyObject>";
        }

        if (!ThreadGil.IsHeld)
        {
            return $"<PyObject 0x{_handle:x}>";
        }

        using var str = Steal(CPython.PyObject_Str(_handle));
        return ReadString(str.Handle);
    }

    /// <summary>Wraps a new reference returned by the C API, throwing the pending Python error if it is null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PyObject Steal(nint reference)
    {
        if (reference == 0)
        {
            throw PythonException.FetchCurrent();
        }

        // Singletons are cached: returning None/True/False allocates nothing.
        if (reference == CPython.None || reference == CPython.True || reference == CPython.False)
        {
            CPython.Py_DecRef(reference);
            return reference == CPython.None ? s_none! : reference == CPython.True ? s_true! : s_false!;
        }

        return new PyObject(reference, isStatic: false);
    }

    /// <summary>Wraps a borrowed reference, taking a reference of its own.</summary>
    internal static PyObject Borrow(nint reference)
    {
        CPython.Py_IncRef(reference);
        return Steal(reference);
    }

    /// <summary>Creates the cached singletons once libpython is bound.</summary>
    internal static void InitializeSingletons()
    {
        s_none = new PyObject(CPython.None, isStatic: true);
        s_true = new PyObject(CPython.True, isStatic: true);
        s_false = new PyObject(CPython.False, isStatic: true);
    }

    private static nint NewTuple(ReadOnlySpan<PyObject> items)
    {
        foreach (var item in items)
        {
            _ = (item ?? throw new ArgumentNullException(nameof(items), "A Python value is null; pass PyObject.None for None.")).Handle;
        }

        nint tuple = CPython.PyTuple_New(items.Length);
        if (tuple == 0)
        {
            PythonException.ThrowCurrent();
        }

        for (int i = 0; i < items.Length; i++)
        {
            nint item = items[i].Handle;
            CPython.Py_IncRef(item);
            CPython.PyTuple_SetItem(tuple, i, item);
        }

        return tuple;
    }

    private static PythonRuntimeException NotRunning() =>
        new("Python is not initialized: call PythonRuntime.Initialize first.");
}
