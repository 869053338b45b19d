using PyChecks.Interop;

namespace PyChecks.Memory;

/// <summary>
/// Reads Python's heap with the GIL held: <c>sys.getallocatedblocks()</c> always (cheap, no cost while checks run),
/// and <c>tracemalloc.get_traced_memory()</c> while tracemalloc traces. The functions are looked up once and kept.
/// See docs/memory.md for why this mechanism and not an allocator hook.
/// </summary>
internal static unsafe class PythonHeap
{
    private static nint s_getAllocatedBlocks;
    private static nint s_getTracedMemory;
    private static nint s_isTracing;
    private static volatile bool s_runDeltas;

    /// <summary>Starts tracemalloc (one frame per trace, its cheapest setting) and turns per-run deltas on. GIL held.</summary>
    public static void StartTracing()
    {
        using var tracemalloc = PyObject.Import("tracemalloc");
        if (!tracemalloc.CallMethod("is_tracing").As<bool>())
        {
            tracemalloc.CallMethod("start").Dispose();
        }

        Bind();
        s_runDeltas = true;
    }

    /// <summary>Reads the heap now. GIL held.</summary>
    /// <exception cref="PythonException">A reading raised.</exception>
    public static PythonHeapReading Read(DateTimeOffset now)
    {
        Bind();
        long blocks = CallForInt64(s_getAllocatedBlocks);
        long? traced = null, peak = null;
        if (IsTracing())
        {
            (traced, peak) = TracedMemory();
        }

        return new PythonHeapReading { MeasuredAt = now, AllocatedBlocks = blocks, TracedBytes = traced, TracedPeakBytes = peak };
    }

    /// <summary>
    /// The bytes tracemalloc traces now, when per-run deltas are on; otherwise <see langword="null"/>. GIL held.
    /// Allocates nothing on the managed heap; an error reading it is cleared and gives <see langword="null"/>.
    /// </summary>
    public static long? TracedBytesForRun()
    {
        if (!s_runDeltas)
        {
            return null;
        }

        nint tuple = CPython.PyObject_CallNoArgs(s_getTracedMemory);
        if (tuple == 0)
        {
            CPython.PyErr_Clear();
            return null;
        }

        long current = CPython.PyLong_AsLongLong(CPython.PyTuple_GetItem(tuple, 0));
        CPython.Py_DecRef(tuple);
        if (current == -1 && CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear();
            return null;
        }

        return current;
    }

    private static void Bind()
    {
        if (s_getTracedMemory != 0)
        {
            return;
        }

        using (var sys = PyObject.Import("sys"))
        {
            s_getAllocatedBlocks = Keep(sys.GetAttr("getallocatedblocks"));
        }

        using var tracemalloc = PyObject.Import("tracemalloc");
        s_isTracing = Keep(tracemalloc.GetAttr("is_tracing"));
        s_getTracedMemory = Keep(tracemalloc.GetAttr("get_traced_memory"));
    }

    /// <summary>Keeps a reference for the life of the process.</summary>
    private static nint Keep(PyObject value)
    {
        nint handle = value.Handle;
        CPython.Py_IncRef(handle);
        value.Dispose();
        return handle;
    }

    private static bool IsTracing()
    {
        nint result = CPython.PyObject_CallNoArgs(s_isTracing);
        if (result == 0)
        {
            PythonException.ThrowCurrent();
        }

        bool tracing = result == CPython.True;
        CPython.Py_DecRef(result);
        return tracing;
    }

    private static (long Current, long Peak) TracedMemory()
    {
        using var tuple = PyObject.Steal(CPython.PyObject_CallNoArgs(s_getTracedMemory));
        return (CPython.PyLong_AsLongLong(CPython.PyTuple_GetItem(tuple.Handle, 0)), CPython.PyLong_AsLongLong(CPython.PyTuple_GetItem(tuple.Handle, 1)));
    }

    private static long CallForInt64(nint function)
    {
        using var result = PyObject.Steal(CPython.PyObject_CallNoArgs(function));
        return result.As<long>();
    }
}
