namespace PyChecks.Interop;

/// <summary>
/// The CPython C API functions PyChecks calls, bound by name from the loaded libpython once, at
/// start, so one binding serves every CPython 3.9–3.13 build. Struct fields are read only on the
/// submission path, only those the API's own macros read (the object header, <c>ob_size</c>, a float's
/// value, a list's or tuple's items), and only once checked at start (<see cref="ObjectLayoutVerified"/>).
/// Each pointer must be called with the GIL held unless the C API documents otherwise.
/// </summary>
/// <remarks>
/// A few pointers are declared <c>SuppressGCTransition</c>: the call skips the switch to preemptive
/// GC mode (a few nanoseconds each, which adds up on the submission path). That is only sound for a
/// C function that is short, never blocks, and can neither run Python code nor trigger Python's
/// garbage collector (whose finalizers run Python code, which may call back into .NET): each such
/// pointer says why it qualifies. Never for taking the GIL, releasing a reference, calls or imports.
/// </remarks>
internal static unsafe partial class CPython
{
    public const int FileInput = 257;

    /// <summary>The bound library's minor version (3.<c>MinorVersion</c>), read from <c>Py_GetVersion</c> at bind time.</summary>
    public static int MinorVersion;

    // Interpreter lifecycle.
    public static delegate* unmanaged<int> Py_IsInitialized;
    public static delegate* unmanaged<int> Py_FinalizeEx;
    public static delegate* unmanaged<byte*> Py_GetVersion;

    // Threads and the GIL.
    public static delegate* unmanaged<nint> PyEval_SaveThread;
    public static delegate* unmanaged<nint, void> PyEval_RestoreThread;
    public static delegate* unmanaged<nint, nint> PyThreadState_New;
    public static delegate* unmanaged<nint, void> PyThreadState_Clear;
    public static delegate* unmanaged<nint, void> PyThreadState_Delete;
    public static delegate* unmanaged<nint> PyInterpreterState_Main;
    public static delegate* unmanaged<int> PyGILState_Ensure;
    public static delegate* unmanaged<int, void> PyGILState_Release;
    /// <summary>Reads a thread-local and compares: a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<int> PyGILState_Check;
    /// <summary>Returns <c>pthread_self()</c>: a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nuint> PyThread_get_thread_ident;
    public static delegate* unmanaged<nuint, nint, int> PyThreadState_SetAsyncExc;
    public static delegate* unmanaged<nint, nint> PyInterpreterState_ThreadHead;
    public static delegate* unmanaged<nint, nint> PyThreadState_Next;

    // References.
    /// <summary>Increments a counter: a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void> Py_IncRef;
    public static delegate* unmanaged<nint, void> Py_DecRef;
    /// <summary>
    /// <c>Py_DecRef</c> without a GC transition, for an object something else is known to keep alive (a singleton, a
    /// value its container still holds): the count cannot reach zero, so no deallocation (no Python code) runs.
    /// </summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void> Py_DecRefHeld;

    // Objects.
    public static delegate* unmanaged<byte*, nint> PyImport_ImportModule;
    public static delegate* unmanaged<nint, byte*, nint> PyObject_GetAttrString;
    public static delegate* unmanaged<nint, byte*, nint, int> PyObject_SetAttrString;
    /// <summary><c>PyObject_SetAttr</c>; a value of 0 deletes the attribute.</summary>
    public static delegate* unmanaged<nint, nint, nint, int> PyObject_SetAttr;
    public static delegate* unmanaged<nint, byte*, int> PyObject_HasAttrString;
    public static delegate* unmanaged<nint, nint, nint, nint> PyObject_Call;
    /// <summary>The function of a bound method (borrowed; reads a field of an object checked to be a method): a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> PyMethod_Function;
    /// <summary>The instance of a bound method (borrowed; reads a field of an object checked to be a method): a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> PyMethod_Self;
    public static delegate* unmanaged<nint, nint> PyObject_CallNoArgs;
    /// <summary>Returns the type with a new reference (an increment): a leaf.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> PyObject_Type;
    public static delegate* unmanaged<nint, nint, int> PyObject_IsInstance;
    public static delegate* unmanaged<nint, nint> PyObject_Str;
    public static delegate* unmanaged<nint, nint> PyObject_Repr;
    public static delegate* unmanaged<nint, int> PyObject_IsTrue;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetItem;
    public static delegate* unmanaged<nint, nint, nint, int> PyObject_SetItem;
    public static delegate* unmanaged<byte*, int, nint, nint, nint> PyRun_String;

    // Strings and bytes.
    public static delegate* unmanaged<nint, nint*, byte*> PyUnicode_AsUTF8AndSize;
    public static delegate* unmanaged<byte*, nint, byte*, int*, nint> PyUnicode_DecodeUTF16;
    public static delegate* unmanaged<byte*, nint, nint> PyUnicode_FromStringAndSize;
    public static delegate* unmanaged<nint, byte*, byte*, nint> PyUnicode_AsEncodedString;
    public static delegate* unmanaged<nint, byte**, nint*, int> PyBytes_AsStringAndSize;
    public static delegate* unmanaged<byte*, nint, nint> PyBytes_FromStringAndSize;

    // Numbers.
    public static delegate* unmanaged<long, nint> PyLong_FromLongLong;
    public static delegate* unmanaged<nint, long> PyLong_AsLongLong;
    public static delegate* unmanaged<byte*, byte**, int, nint> PyLong_FromString;
    public static delegate* unmanaged<double, nint> PyFloat_FromDouble;
    public static delegate* unmanaged<nint, double> PyFloat_AsDouble;

    // Containers.
    public static delegate* unmanaged<nint, nint> PyList_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyList_SetItem;
    public static delegate* unmanaged<nint, nint, nint> PyList_GetItem;
    public static delegate* unmanaged<nint, nint> PyList_Size;
    public static delegate* unmanaged<nint, nint, int> PyList_Append;
    public static delegate* unmanaged<nint, nint> PyTuple_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyTuple_SetItem;
    public static delegate* unmanaged<nint, nint, nint> PyTuple_GetItem;
    public static delegate* unmanaged<nint, nint> PyTuple_Size;
    public static delegate* unmanaged<nint> PyDict_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyDict_SetItem;
    public static delegate* unmanaged<nint, nint, int> PyDict_DelItem;
    /// <summary>Borrowed reference, or 0 (no error set) when absent.</summary>
    public static delegate* unmanaged<nint, nint, nint> PyDict_GetItemWithError;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetAttr;

    /// <summary>
    /// <c>_PyObject_GetMethod(obj, name, &amp;method)</c>, what <c>LOAD_METHOD</c> does (exported by 3.9–3.13): 1 with the
    /// type's function in <c>method</c> when the attribute is a function of the type that the instance does not shadow
    /// (no bound method made), else 0 with the attribute or 0 (error set) in <c>method</c>; a new reference either
    /// way. Optional: null when not exported.
    /// </summary>
    public static delegate* unmanaged<nint, nint, nint*, int> PyObject_GetMethod;

    /// <summary><c>PyCMethod_New(ml, self, module, cls)</c> (3.9+): what a <c>METH_METHOD</c> method descriptor binds to an instance.</summary>
    public static delegate* unmanaged<nint, nint, nint, nint, nint> PyCMethod_New;

    /// <summary><c>PyType_IsSubtype(a, b)</c>: whether type <c>a</c> is <c>b</c> or derives from it (its MRO; no Python code).</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, int> PyType_IsSubtype;
    public static delegate* unmanaged<ulong, nint> PyLong_FromUnsignedLongLong;
    public static delegate* unmanaged<byte*, nint> PyUnicode_InternFromString;
    /// <summary><c>PyType_FromModuleAndSpec(module, spec, bases)</c> (3.9+): a heap type whose methods find the module's state.</summary>
    public static delegate* unmanaged<nint, nint, nint, nint> PyType_FromModuleAndSpec;
    /// <summary>The state of the module a heap type was created with (3.9+); a field read on such a type.</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> PyType_GetModuleState;
    public static delegate* unmanaged<nint, nint*, nint*, nint*, int> PyDict_Next;
    public static delegate* unmanaged<nint, nint> PyDict_Size;

    // Built-in modules (multi-phase initialization).
    public static delegate* unmanaged<byte*, delegate* unmanaged<nint>, int> PyImport_AppendInittab;
    public static delegate* unmanaged<nint, nint> PyModuleDef_Init;
    /// <summary>Returns a field of a module object: a leaf when given a module (this code only gives it its own modules).</summary>
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> PyModule_GetState;
    public static delegate* unmanaged<nint, byte*, long, int> PyModule_AddIntConstant;
    public static delegate* unmanaged<nint, nint> PyModule_GetDef;

    // Boundary checks: type flags, __index__, strict UTF-8, ints in base 16 (which has no digit limit).
    public static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, ulong> PyType_GetFlags;
    public static delegate* unmanaged<nint, nint> PyNumber_Index;
    public static delegate* unmanaged<nint, int, nint> PyNumber_ToBase;
    public static delegate* unmanaged<byte*, nint, byte*, nint> PyUnicode_DecodeUTF8;

    // Sequences and mappings.
    public static delegate* unmanaged<nint, int> PySequence_Check;
    public static delegate* unmanaged<nint, byte*, nint> PySequence_Fast;
    public static delegate* unmanaged<nint, byte*, nint> PyDict_GetItemString;
    public static delegate* unmanaged<nint, long> PyLong_AsLong;

    // Errors.
    public static delegate* unmanaged<nint> PyErr_Occurred;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_Fetch;
    public static delegate* unmanaged<nint, nint, nint, void> PyErr_Restore;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_NormalizeException;
    public static delegate* unmanaged<void> PyErr_Clear;
    public static delegate* unmanaged<nint, byte*, void> PyErr_SetString;
    public static delegate* unmanaged<nint, int> PyErr_ExceptionMatches;
    public static delegate* unmanaged<byte*, nint, nint, nint> PyErr_NewException;

    /// <summary>
    /// The small ints 0…<c>SmallIntCount - 1</c>: CPython keeps one object for each, so a pointer comparison
    /// reads them (metric types, statuses) without a call. Read by <see cref="ReadSingletons"/>.
    /// </summary>
    public static readonly nint[] SmallInts = new nint[SmallIntCount];

    /// <summary>The empty <c>str</c>, a singleton in CPython. Read by <see cref="ReadSingletons"/>.</summary>
    public static nint EmptyString;

    public const int SmallIntCount = 8;

    // Decrements the count of a type obtained from PyObject_Type on a live object: see IsExactType.
    private static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void> s_releaseTypeOfLiveObject;

    /// <summary>Whether <paramref name="obj"/>'s type is exactly <paramref name="type"/> (no subclass); two leaf calls.</summary>
    /// <remarks>
    /// The reference <c>PyObject_Type</c> returns is released without a GC transition. That is sound:
    /// <paramref name="obj"/> is alive (the caller holds or borrows it) and either its type is static
    /// (never deallocated) or the object holds a reference to its heap type, so this decrement can never
    /// be the last one and never deallocates anything.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool IsExactType(nint obj, nint type) => TypeOf(obj) == type;

    private const ulong LongSubclassFlag = 1UL << 24;
    private const ulong BytesSubclassFlag = 1UL << 27;
    private const ulong UnicodeSubclassFlag = 1UL << 28;
    private const ulong DictSubclassFlag = 1UL << 29;

    /// <summary>Whether <paramref name="obj"/> is a <c>str</c> or a subclass (<c>PyUnicode_Check</c>: type flags, no Python code).</summary>
    public static bool IsStr(nint obj) => HasTypeFlag(obj, UnicodeSubclassFlag);

    /// <summary>Whether <paramref name="obj"/> is a <c>bytes</c> or a subclass (<c>PyBytes_Check</c>; a <c>__class__</c> attribute is not asked).</summary>
    public static bool IsBytes(nint obj) => HasTypeFlag(obj, BytesSubclassFlag);

    /// <summary>Whether <paramref name="obj"/> is a <c>dict</c> or a subclass (<c>PyDict_Check</c>).</summary>
    public static bool IsDict(nint obj) => HasTypeFlag(obj, DictSubclassFlag);

    /// <summary>Whether <paramref name="obj"/> is an <c>int</c> (bool included) or a subclass (<c>PyLong_Check</c>).</summary>
    public static bool IsInt(nint obj) => HasTypeFlag(obj, LongSubclassFlag);

    private static bool HasTypeFlag(nint obj, ulong flag)
    {
        return (PyType_GetFlags(TypeOf(obj)) & flag) != 0;
    }

    /// <summary>
    /// Reads <see cref="SmallInts"/> and <see cref="EmptyString"/>; call once, with the GIL held, after
    /// <c>Py_InitializeFromConfig</c>. The references taken are kept for the life of the process.
    /// </summary>
    public static void ReadSingletons()
    {
        for (int i = 0; i < SmallIntCount; i++)
        {
            SmallInts[i] = PyLong_FromLongLong(i);
        }

        byte empty = 0;
        EmptyString = PyUnicode_FromStringAndSize(&empty, 0);
        ObjectLayoutVerified = VerifyObjectLayout();
    }

    /// <summary>The value of a small int among <see cref="SmallInts"/>, or -1 (no call into Python).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int SmallIntValue(nint obj)
    {
        nint[] smallInts = SmallInts;
        for (int i = 0; i < smallInts.Length; i++)
        {
            if (smallInts[i] == obj)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Second bindings of container and number accessors, without a GC transition (<c>SuppressGCTransition</c>).
    /// Call them only on an object whose exact type has been checked (<see cref="IsExactType"/>) and with an index
    /// in range: the C function then reads a field and cannot fail (a failure would allocate an exception, which may
    /// run Python's garbage collector).
    /// </summary>
    public static class NoGCTransition
    {
        internal static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> ListSizeFunction;
        internal static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, nint> ListItemFunction;
        internal static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint> TupleSizeFunction;
        internal static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, nint> TupleItemFunction;
        internal static delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, double> FloatValueFunction;

        /// <summary><c>PyList_Size</c> of an exact list (<c>ob_size</c> when the layout is verified).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static nint PyList_Size(nint list) => ObjectLayoutVerified ? ((nint*)list)[2] : ListSizeFunction(list);

        /// <summary><c>PyList_GetItem</c> of an exact list, index in range (borrowed reference).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static nint PyList_GetItem(nint list, nint index) => ObjectLayoutVerified ? ((nint**)list)[3][index] : ListItemFunction(list, index);

        /// <summary><c>PyTuple_Size</c> of an exact tuple.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static nint PyTuple_Size(nint tuple) => ObjectLayoutVerified ? ((nint*)tuple)[2] : TupleSizeFunction(tuple);

        /// <summary><c>PyTuple_GetItem</c> of an exact tuple, index in range (borrowed reference).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static nint PyTuple_GetItem(nint tuple, nint index) => ObjectLayoutVerified ? ((nint*)tuple)[3 + index] : TupleItemFunction(tuple, index);

        /// <summary><c>PyFloat_AsDouble</c> of an exact float (reads its value).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static double PyFloat_AsDouble(nint number) => ObjectLayoutVerified ? *(double*)(number + 16) : FloatValueFunction(number);
    }

    // Data symbols: addresses of static objects (singletons and types), resolved once.
    public static nint None;
    public static nint True;
    public static nint False;
    public static nint UnicodeType;
    public static nint LongType;
    public static nint FloatType;
    public static nint BoolType;
    public static nint ListType;
    public static nint TupleType;
    public static nint DictType;
    public static nint MethodType;
    public static nint BytesType;

    // Exception types (the exported symbols are PyObject* variables: read once after initialization).
    public static nint ExcTypeError;
    public static nint ExcValueError;
    public static nint ExcRuntimeError;
    public static nint ExcOverflowError;
    public static nint ExcKeyboardInterrupt;
    public static nint ExcException;

    /// <summary>Binds every entry point from <paramref name="library"/>.</summary>
    /// <exception cref="PythonRuntimeException">A symbol is missing; the message names it.</exception>
    public static void Bind(DynamicLibrary library)
    {
        var b = new Binder(library);
        BindConfig(b);
        Py_IsInitialized = (delegate* unmanaged<int>)b.Get("Py_IsInitialized");
        Py_FinalizeEx = (delegate* unmanaged<int>)b.Get("Py_FinalizeEx");
        Py_GetVersion = (delegate* unmanaged<byte*>)b.Get("Py_GetVersion");
        string version = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)Py_GetVersion()) ?? string.Empty;
        int dot = version.IndexOf('.', StringComparison.Ordinal);
        int end = dot < 0 ? -1 : version.IndexOfAny([' ', '.', '+', 'a', 'b', 'r'], dot + 1);
        MinorVersion = dot < 0 ? 0 : int.Parse(version.AsSpan(dot + 1, (end < 0 ? version.Length : end) - dot - 1), System.Globalization.CultureInfo.InvariantCulture);

        PyEval_SaveThread = (delegate* unmanaged<nint>)b.Get("PyEval_SaveThread");
        PyEval_RestoreThread = (delegate* unmanaged<nint, void>)b.Get("PyEval_RestoreThread");
        PyThreadState_New = (delegate* unmanaged<nint, nint>)b.Get("PyThreadState_New");
        PyThreadState_Clear = (delegate* unmanaged<nint, void>)b.Get("PyThreadState_Clear");
        PyThreadState_Delete = (delegate* unmanaged<nint, void>)b.Get("PyThreadState_Delete");
        PyInterpreterState_Main = (delegate* unmanaged<nint>)b.Get("PyInterpreterState_Main");
        PyGILState_Ensure = (delegate* unmanaged<int>)b.Get("PyGILState_Ensure");
        PyGILState_Release = (delegate* unmanaged<int, void>)b.Get("PyGILState_Release");
        PyGILState_Check = (delegate* unmanaged[Cdecl, SuppressGCTransition]<int>)b.Get("PyGILState_Check");
        PyThread_get_thread_ident = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nuint>)b.Get("PyThread_get_thread_ident");
        PyThreadState_SetAsyncExc = (delegate* unmanaged<nuint, nint, int>)b.Get("PyThreadState_SetAsyncExc");
        PyInterpreterState_ThreadHead = (delegate* unmanaged<nint, nint>)b.Get("PyInterpreterState_ThreadHead");
        PyThreadState_Next = (delegate* unmanaged<nint, nint>)b.Get("PyThreadState_Next");

        Py_IncRef = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void>)b.Get("Py_IncRef");
        Py_DecRef = (delegate* unmanaged<nint, void>)b.Get("Py_DecRef");
        Py_DecRefHeld = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void>)b.Get("Py_DecRef");
        s_releaseTypeOfLiveObject = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, void>)b.Get("Py_DecRef");

        PyImport_ImportModule = (delegate* unmanaged<byte*, nint>)b.Get("PyImport_ImportModule");
        PyObject_GetAttrString = (delegate* unmanaged<nint, byte*, nint>)b.Get("PyObject_GetAttrString");
        PyObject_SetAttrString = (delegate* unmanaged<nint, byte*, nint, int>)b.Get("PyObject_SetAttrString");
        PyObject_HasAttrString = (delegate* unmanaged<nint, byte*, int>)b.Get("PyObject_HasAttrString");
        PyObject_Call = (delegate* unmanaged<nint, nint, nint, nint>)b.Get("PyObject_Call");
        PyObject_CallNoArgs = (delegate* unmanaged<nint, nint>)b.Get("PyObject_CallNoArgs");
        PyObject_Type = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyObject_Type");
        PyObject_IsInstance = (delegate* unmanaged<nint, nint, int>)b.Get("PyObject_IsInstance");
        PyObject_Str = (delegate* unmanaged<nint, nint>)b.Get("PyObject_Str");
        PyObject_Repr = (delegate* unmanaged<nint, nint>)b.Get("PyObject_Repr");
        PyObject_IsTrue = (delegate* unmanaged<nint, int>)b.Get("PyObject_IsTrue");
        PyObject_GetItem = (delegate* unmanaged<nint, nint, nint>)b.Get("PyObject_GetItem");
        PyObject_SetItem = (delegate* unmanaged<nint, nint, nint, int>)b.Get("PyObject_SetItem");
        PyRun_String = (delegate* unmanaged<byte*, int, nint, nint, nint>)b.Get("PyRun_String");

        PyUnicode_AsUTF8AndSize = (delegate* unmanaged<nint, nint*, byte*>)b.Get("PyUnicode_AsUTF8AndSize");
        PyUnicode_DecodeUTF16 = (delegate* unmanaged<byte*, nint, byte*, int*, nint>)b.Get("PyUnicode_DecodeUTF16");
        PyUnicode_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)b.Get("PyUnicode_FromStringAndSize");
        PyUnicode_AsEncodedString = (delegate* unmanaged<nint, byte*, byte*, nint>)b.Get("PyUnicode_AsEncodedString");
        PyBytes_AsStringAndSize = (delegate* unmanaged<nint, byte**, nint*, int>)b.Get("PyBytes_AsStringAndSize");
        PyBytes_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)b.Get("PyBytes_FromStringAndSize");

        PyLong_FromLongLong = (delegate* unmanaged<long, nint>)b.Get("PyLong_FromLongLong");
        PyLong_AsLongLong = (delegate* unmanaged<nint, long>)b.Get("PyLong_AsLongLong");
        PyLong_FromString = (delegate* unmanaged<byte*, byte**, int, nint>)b.Get("PyLong_FromString");
        PyFloat_FromDouble = (delegate* unmanaged<double, nint>)b.Get("PyFloat_FromDouble");
        PyFloat_AsDouble = (delegate* unmanaged<nint, double>)b.Get("PyFloat_AsDouble");

        PyList_New = (delegate* unmanaged<nint, nint>)b.Get("PyList_New");
        PyList_SetItem = (delegate* unmanaged<nint, nint, nint, int>)b.Get("PyList_SetItem");
        PyList_GetItem = (delegate* unmanaged<nint, nint, nint>)b.Get("PyList_GetItem");
        PyList_Size = (delegate* unmanaged<nint, nint>)b.Get("PyList_Size");
        PyList_Append = (delegate* unmanaged<nint, nint, int>)b.Get("PyList_Append");
        PyTuple_New = (delegate* unmanaged<nint, nint>)b.Get("PyTuple_New");
        PyTuple_SetItem = (delegate* unmanaged<nint, nint, nint, int>)b.Get("PyTuple_SetItem");
        PyTuple_GetItem = (delegate* unmanaged<nint, nint, nint>)b.Get("PyTuple_GetItem");
        PyTuple_Size = (delegate* unmanaged<nint, nint>)b.Get("PyTuple_Size");
        NoGCTransition.ListSizeFunction = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyList_Size");
        NoGCTransition.ListItemFunction = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, nint>)b.Get("PyList_GetItem");
        NoGCTransition.TupleSizeFunction = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyTuple_Size");
        NoGCTransition.TupleItemFunction = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, nint>)b.Get("PyTuple_GetItem");
        NoGCTransition.FloatValueFunction = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, double>)b.Get("PyFloat_AsDouble");
        PyDict_New = (delegate* unmanaged<nint>)b.Get("PyDict_New");
        PyDict_SetItem = (delegate* unmanaged<nint, nint, nint, int>)b.Get("PyDict_SetItem");
        PyDict_DelItem = (delegate* unmanaged<nint, nint, int>)b.Get("PyDict_DelItem");
        PyDict_GetItemWithError = (delegate* unmanaged<nint, nint, nint>)b.Get("PyDict_GetItemWithError");
        PyObject_GetAttr = (delegate* unmanaged<nint, nint, nint>)b.Get("PyObject_GetAttr");
        PyObject_GetMethod = (delegate* unmanaged<nint, nint, nint*, int>)b.TryGet("_PyObject_GetMethod");
        PyCMethod_New = (delegate* unmanaged<nint, nint, nint, nint, nint>)b.Get("PyCMethod_New");
        PyType_IsSubtype = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint, int>)b.Get("PyType_IsSubtype");
        PyObject_SetAttr = (delegate* unmanaged<nint, nint, nint, int>)b.Get("PyObject_SetAttr");
        PyLong_FromUnsignedLongLong = (delegate* unmanaged<ulong, nint>)b.Get("PyLong_FromUnsignedLongLong");
        PyUnicode_InternFromString = (delegate* unmanaged<byte*, nint>)b.Get("PyUnicode_InternFromString");
        PyType_FromModuleAndSpec = (delegate* unmanaged<nint, nint, nint, nint>)b.Get("PyType_FromModuleAndSpec");
        PyType_GetModuleState = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyType_GetModuleState");
        PyDict_Next = (delegate* unmanaged<nint, nint*, nint*, nint*, int>)b.Get("PyDict_Next");
        PyDict_Size = (delegate* unmanaged<nint, nint>)b.Get("PyDict_Size");

        PyImport_AppendInittab = (delegate* unmanaged<byte*, delegate* unmanaged<nint>, int>)b.Get("PyImport_AppendInittab");
        PyModuleDef_Init = (delegate* unmanaged<nint, nint>)b.Get("PyModuleDef_Init");
        PyModule_GetState = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyModule_GetState");
        PyModule_AddIntConstant = (delegate* unmanaged<nint, byte*, long, int>)b.Get("PyModule_AddIntConstant");
        PyModule_GetDef = (delegate* unmanaged<nint, nint>)b.Get("PyModule_GetDef");

        PyType_GetFlags = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, ulong>)b.Get("PyType_GetFlags");
        PyNumber_Index = (delegate* unmanaged<nint, nint>)b.Get("PyNumber_Index");
        PyNumber_ToBase = (delegate* unmanaged<nint, int, nint>)b.Get("PyNumber_ToBase");
        PyUnicode_DecodeUTF8 = (delegate* unmanaged<byte*, nint, byte*, nint>)b.Get("PyUnicode_DecodeUTF8");
        PySequence_Check = (delegate* unmanaged<nint, int>)b.Get("PySequence_Check");
        PySequence_Fast = (delegate* unmanaged<nint, byte*, nint>)b.Get("PySequence_Fast");
        PyDict_GetItemString = (delegate* unmanaged<nint, byte*, nint>)b.Get("PyDict_GetItemString");
        PyLong_AsLong = (delegate* unmanaged<nint, long>)b.Get("PyLong_AsLong");

        PyErr_Occurred = (delegate* unmanaged<nint>)b.Get("PyErr_Occurred");
        PyErr_Fetch = (delegate* unmanaged<nint*, nint*, nint*, void>)b.Get("PyErr_Fetch");
        PyErr_Restore = (delegate* unmanaged<nint, nint, nint, void>)b.Get("PyErr_Restore");
        PyErr_NormalizeException = (delegate* unmanaged<nint*, nint*, nint*, void>)b.Get("PyErr_NormalizeException");
        PyErr_Clear = (delegate* unmanaged<void>)b.Get("PyErr_Clear");
        PyErr_SetString = (delegate* unmanaged<nint, byte*, void>)b.Get("PyErr_SetString");
        PyErr_ExceptionMatches = (delegate* unmanaged<nint, int>)b.Get("PyErr_ExceptionMatches");
        PyErr_NewException = (delegate* unmanaged<byte*, nint, nint, nint>)b.Get("PyErr_NewException");

        None = b.Get("_Py_NoneStruct");
        True = b.Get("_Py_TrueStruct");
        False = b.Get("_Py_FalseStruct");
        UnicodeType = b.Get("PyUnicode_Type");
        LongType = b.Get("PyLong_Type");
        FloatType = b.Get("PyFloat_Type");
        BoolType = b.Get("PyBool_Type");
        ListType = b.Get("PyList_Type");
        TupleType = b.Get("PyTuple_Type");
        DictType = b.Get("PyDict_Type");
        MethodType = b.Get("PyMethod_Type");
        PyMethod_Function = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyMethod_Function");
        PyMethod_Self = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, nint>)b.Get("PyMethod_Self");
        BytesType = b.Get("PyBytes_Type");

        ExcTypeError = *(nint*)b.Get("PyExc_TypeError");
        ExcValueError = *(nint*)b.Get("PyExc_ValueError");
        ExcRuntimeError = *(nint*)b.Get("PyExc_RuntimeError");
        ExcOverflowError = *(nint*)b.Get("PyExc_OverflowError");
        ExcKeyboardInterrupt = *(nint*)b.Get("PyExc_KeyboardInterrupt");
        ExcException = *(nint*)b.Get("PyExc_Exception");
        BindFrames(b);
    }

    // Frames, for the profiler's stack walk (exported since 3.9). GetFrame, GetBack and GetCode return new references.
    public static delegate* unmanaged<nint> PyThreadState_Get;
    public static delegate* unmanaged<nint, nint> PyThreadState_GetFrame;
    public static delegate* unmanaged<nint, nint> PyFrame_GetBack;
    public static delegate* unmanaged<nint, nint> PyFrame_GetCode;
    public static delegate* unmanaged<nint, int> PyFrame_GetLineNumber;

    // The line of a byte offset in a code object: reads only its line table (no reference, no allocation), so the
    // profiler calls it without the GIL on code objects it holds. Optional: null when not exported.
    public static delegate* unmanaged<nint, int, int> PyCode_Addr2Line;

    private static void BindFrames(Binder b)
    {
        PyThreadState_Get = (delegate* unmanaged<nint>)b.Get("PyThreadState_Get");
        PyThreadState_GetFrame = (delegate* unmanaged<nint, nint>)b.Get("PyThreadState_GetFrame");
        PyFrame_GetBack = (delegate* unmanaged<nint, nint>)b.Get("PyFrame_GetBack");
        PyFrame_GetCode = (delegate* unmanaged<nint, nint>)b.Get("PyFrame_GetCode");
        PyFrame_GetLineNumber = (delegate* unmanaged<nint, int>)b.Get("PyFrame_GetLineNumber");
        PyCode_Addr2Line = (delegate* unmanaged<nint, int, int>)b.TryGet("PyCode_Addr2Line");
    }

    private readonly struct Binder(DynamicLibrary library)
    {
        public nint TryGet(string name) => library.TryGetExport(name);

        public nint Get(string name)
        {
            nint address = library.TryGetExport(name);
            return address != 0
                ? address
                : throw new PythonRuntimeException(
                    $"'{library.Path}' does not export '{name}', which PyChecks needs. Is it a CPython 3.9–3.13 shared library (not PyPy, not a free-threaded build)?");
        }
    }
}
