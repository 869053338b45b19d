using PyChecks.Interop;

namespace PyChecks.Checks;

/// <summary>
/// What <c>pychecks._entry.call</c> does around a check's code, done from .NET around <c>run()</c>, the entry made on
/// every run of a check that keeps <c>pychecks.AgentCheck.run</c>: the thread's output goes to the check, and the
/// working directory is given back if the check changed it (that <c>run</c> ends a forked child itself, so no .NET
/// code runs there). The checks on the common path are dictionary reads; the rare paths call the same Python functions
/// <c>call</c> does. Other entries (import, <c>__init__</c>, <c>cancel</c>, a replaced <c>run</c>, a non-trivial
/// <c>get_warnings</c>) keep going through <c>call</c>.
/// </summary>
/// <remarks>
/// Created once per host by its Python check loader, after <c>pychecks._entry.install</c>, and kept as long as the host's
/// interpreter (the references it holds are the interpreter's own modules and names); every member is called with the
/// GIL held.
/// </remarks>
internal sealed unsafe class CheckEntry
{
    private readonly PyObject _owners;
    private readonly PyObject _cwdGlobals;
    private readonly PyObject _flush;
    private readonly PyObject _restore;
    private readonly PyObject _saved = Intern("saved"u8);
    private readonly PyObject _warnings = Intern("warnings"u8);
    private readonly PyObject _getWarnings = Intern("get_warnings"u8);

    private CheckEntry(PyObject hooks)
    {
        _owners = Item(hooks, 0);
        _cwdGlobals = Item(hooks, 1);
        _flush = Item(hooks, 2);
        _restore = Item(hooks, 3);
    }

    /// <summary>Reads the hooks from <c>pychecks._entry</c>, installed.</summary>
    public static CheckEntry Load()
    {
        using var entry = PyObject.Import("pychecks._entry");
        using var hooks = entry.CallMethod("run_hooks");
        return new CheckEntry(hooks);
    }

    /// <summary>
    /// <c>function()</c> as code of the check whose output object is <paramref name="output"/> (0: not captured):
    /// a new reference to the result, or 0 with the Python error set. <paramref name="function"/> must end a forked
    /// child itself, as <c>AgentCheck.run</c> does. <paramref name="pending"/>: the output's <c>pending</c> list, held by the
    /// caller (<see cref="PendingOf"/>; 0 when it has none, and the output is flushed after every call).
    /// </summary>
    public nint Call(nint function, nint output, nint pending)
    {
        nint key = OwnerKey();
        if (key == 0)
        {
            return 0;
        }

        if (CPython.PyDict_SetItem(_owners.Handle, key, output != 0 ? output : CPython.None) != 0)
        {
            return 0;
        }

        nint result = CPython.PyObject_CallNoArgs(function);
        nint type = 0, value = 0, traceback = 0;
        if (result == 0)
        {
            CPython.PyErr_Fetch(&type, &value, &traceback);
        }

        if (CPython.PyDict_DelItem(_owners.Handle, key) != 0)
        {
            CPython.PyErr_Clear();
        }
        if (output != 0 && HasPendingOutput(pending))
        {
            CallIgnoringErrors(_flush.Handle, output);
        }

        if (Flag(_cwdGlobals, _saved) is var saved && saved != 0 && saved != CPython.None)
        {
            CallIgnoringErrors(_restore.Handle, 0);
        }

        if (result == 0)
        {
            CPython.PyErr_Restore(type, value, traceback);
        }

        return result;
    }

    [ThreadStatic]
    private static nint t_ownerKey;

    [ThreadStatic]
    private static nuint t_ownerIdent;

    /// <summary>
    /// This thread's key in <c>_owners</c>, <c>threading.get_ident()</c> as an int (borrowed): made once per thread and
    /// kept for the thread's life (one small int per thread that ever runs a check), since a run would otherwise make
    /// and hash a new one. 0 with the error set when it cannot be made.
    /// </summary>
    private static nint OwnerKey()
    {
        nuint ident = CPython.PyThread_get_thread_ident();
        if (t_ownerKey != 0 && t_ownerIdent == ident)
        {
            return t_ownerKey;
        }

        nint key = CPython.PyLong_FromUnsignedLongLong(ident);
        if (key != 0)
        {
            nint previous = t_ownerKey;
            t_ownerKey = key;
            t_ownerIdent = ident;
            if (previous != 0)
            {
                CPython.Py_DecRef(previous);
            }
        }

        return key;
    }

    /// <summary>
    /// Whether <c>check.get_warnings()</c> would return an empty list: <c>get_warnings</c> is one of
    /// <paramref name="plainGetWarnings"/> (AgentCheck's own, which returns <c>self.warnings</c> and empties it), not
    /// replaced on the instance, and <c>self.warnings</c> is an empty list. False whenever it cannot tell.
    /// </summary>
    public bool WarningsAreEmpty(nint check, PyObject plainGetWarnings)
    {
        if (!GetWarningsIsPlain(check, plainGetWarnings.Handle))
        {
            return false;
        }

        nint warnings = CPython.PyObject_GetAttr(check, _warnings.Handle);
        if (warnings == 0)
        {
            CPython.PyErr_Clear();
            return false;
        }

        bool empty = CPython.IsExactType(warnings, CPython.ListType) && CPython.NoGCTransition.PyList_Size(warnings) == 0;
        CPython.Py_DecRef(warnings);
        return empty;
    }

    /// <summary>
    /// Whether <c>check.get_warnings</c> is one of <paramref name="plainFunctions"/> (a tuple): the function on the class,
    /// not shadowed on the instance, or a bound method of one for the check. Found as <c>LOAD_METHOD</c> finds a method,
    /// with no bound method made (where the interpreter exports it), and not through <c>check.__dict__</c>, whose reading
    /// would give the instance a dict of its own and, on 3.12, turn off the interpreter's specialized attribute access for
    /// every method call the check makes.
    /// </summary>
    private bool GetWarningsIsPlain(nint check, nint plainFunctions)
    {
        nint found = 0;
        bool unbound = false;
        if (CPython.PyObject_GetMethod != null)
        {
            unbound = CPython.PyObject_GetMethod(check, _getWarnings.Handle, &found) == 1;
        }
        else
        {
            found = CPython.PyObject_GetAttr(check, _getWarnings.Handle);
        }

        if (found == 0)
        {
            CPython.PyErr_Clear();
            return false;
        }

        nint function = unbound ? found
            : CPython.IsExactType(found, CPython.MethodType) && CPython.PyMethod_Self(found) == check ? CPython.PyMethod_Function(found)
            : 0;
        bool plain = false;
        for (nint i = 0, n = CPython.NoGCTransition.PyTuple_Size(plainFunctions); i < n && !plain && function != 0; i++)
        {
            plain = CPython.NoGCTransition.PyTuple_GetItem(plainFunctions, i) == function;
        }

        CPython.Py_DecRef(found);
        return plain;
    }

    /// <summary>A module global read without a call (borrowed; 0 when absent).</summary>
    private static nint Flag(PyObject globals, PyObject name)
    {
        nint value = CPython.PyDict_GetItemWithError(globals.Handle, name.Handle);
        if (value == 0 && CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear();
        }

        return value;
    }

    /// <summary><c>output.pending[0] or output.pending[1]</c>, read from the list held (<see cref="PendingOf"/>); true when there is none, so that the flush decides.</summary>
    private static bool HasPendingOutput(nint pending) => pending == 0 || PendingIsEmpty(pending) is not true;

    /// <summary>
    /// The list <c>output.pending</c> of a check's output object (a new reference), for <see cref="Call"/>: the object keeps
    /// that one list for its life and only sets its items. Null when it is not the expected list of two.
    /// </summary>
    public static PyObject? PendingOf(PyObject output)
    {
        var pending = output.GetAttr("pending");
        if (PendingIsEmpty(pending.Handle) is null)
        {
            pending.Dispose();
            return null;
        }

        return pending;
    }

    /// <summary>Whether both items of a pending list are <c>''</c>; null when it is not an exact list of two.</summary>
    private static bool? PendingIsEmpty(nint pending)
    {
        if (!CPython.IsExactType(pending, CPython.ListType) || CPython.NoGCTransition.PyList_Size(pending) != 2)
        {
            return null;
        }

        return CPython.NoGCTransition.PyList_GetItem(pending, 0) == CPython.EmptyString
            && CPython.NoGCTransition.PyList_GetItem(pending, 1) == CPython.EmptyString;
    }

    /// <summary><c>function(argument)</c> (no argument when 0), its result and any error dropped.</summary>
    private static void CallIgnoringErrors(nint function, nint argument)
    {
        nint result;
        if (argument == 0)
        {
            result = CPython.PyObject_CallNoArgs(function);
        }
        else
        {
            nint args = CPython.PyTuple_New(1);
            if (args == 0)
            {
                CPython.PyErr_Clear();
                return;
            }

            CPython.Py_IncRef(argument);
            CPython.PyTuple_SetItem(args, 0, argument);
            result = CPython.PyObject_Call(function, args, 0);
            CPython.Py_DecRef(args);
        }

        if (result == 0)
        {
            CPython.PyErr_Clear();
        }
        else
        {
            CPython.Py_DecRef(result);
        }
    }

    private static PyObject Item(PyObject tuple, int index) => PyObject.Borrow(CPython.PyTuple_GetItem(tuple.Handle, index));

    private static PyObject Intern(ReadOnlySpan<byte> utf8Z)
    {
        fixed (byte* name = utf8Z)
        {
            return PyObject.Steal(CPython.PyUnicode_InternFromString(name));
        }
    }
}
