namespace PyChecks.Interop;

/// <summary>
/// The struct fields read directly on the submission path, and the checks at start that allow it: the object header,
/// <c>ob_size</c>, a float's value, a list's or tuple's items, a type's flags and version tag.
/// </summary>
internal static unsafe partial class CPython
{
    /// <summary>
    /// <c>Py_TYPE(obj)</c>, borrowed: the header field itself when <see cref="ObjectLayoutVerified"/>, else
    /// <c>PyObject_Type</c> and its reference released at once (sound: see the remarks of <see cref="IsExactType"/>).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static nint TypeOf(nint obj) => ObjectLayoutVerified ? ((nint*)obj)[1] : TypeOfThroughApi(obj);

    // Apart, so that the hot paths inlining TypeOf make no call that leaves cooperative mode (and set up no frame for one).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static nint TypeOfThroughApi(nint obj)
    {
        nint actual = PyObject_Type(obj);
        s_releaseTypeOfLiveObject(actual);
        return actual;
    }

    /// <summary>
    /// Whether the object layouts the hot paths read directly were found as expected at start (see
    /// <see cref="VerifyObjectLayout"/>): the object header (<c>ob_refcnt</c>, <c>ob_type</c>; stable ABI) and
    /// <c>ob_size</c>, and the fields behind the API's own macros <c>PyFloat_AS_DOUBLE</c>, <c>PyList_GET_ITEM</c>
    /// and <c>PyTuple_GET_ITEM</c>, the same in every default build of 3.9–3.13. When a build differs, every read goes
    /// through the bound functions instead.
    /// </summary>
    public static bool ObjectLayoutVerified;

    private const int TypeFlagsOffset = 168; // PyTypeObject.tp_flags in every default build of 3.9–3.13
    private const int TypeVersionTagOffset = 384; // PyTypeObject.tp_version_tag, likewise
    private const ulong ValidVersionTagFlag = 1UL << 19; // Py_TPFLAGS_VALID_VERSION_TAG, which 3.9–3.12 keep beside the tag

    /// <summary>
    /// Whether <see cref="TypeVersionTag"/> was seen to work at start (<see cref="VerifyTypeVersionTags"/>): the tag
    /// CPython gives a type for its attribute cache, which changes whenever the type or one of its bases is modified.
    /// </summary>
    public static bool TypeVersionTagsVerified;

    /// <summary>
    /// The version tag of <paramref name="type"/>, or 0 when it has none valid (or tags were not verified): a type with
    /// the same address and tag as before has not been modified since, nor have its bases.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static uint TypeVersionTag(nint type)
    {
        if (!TypeVersionTagsVerified || (MinorVersion < 13 && (*(ulong*)(type + TypeFlagsOffset) & ValidVersionTagFlag) == 0))
        {
            return 0;
        }

        return *(uint*)(type + TypeVersionTagOffset);
    }

    /// <summary>
    /// Checks on <paramref name="type"/>, a heap type nobody else uses yet, that its flags are where expected and that
    /// its version tag behaves as <see cref="TypeVersionTag"/> assumes: valid after an attribute lookup, invalid after a
    /// modification, valid again and different after the next lookup. Sets <see cref="TypeVersionTagsVerified"/>; call
    /// with the GIL held. Modifies the type (an attribute set, then deleted).
    /// </summary>
    /// <param name="type">The type to try it on.</param>
    /// <param name="lookupName">A name the type's metatype has no data descriptor for (one the type lacks will do).</param>
    /// <param name="probeName">A name to set on the type and delete.</param>
    public static void VerifyTypeVersionTags(nint type, nint lookupName, nint probeName)
    {
        TypeVersionTagsVerified = false;
        if (!ObjectLayoutVerified || *(ulong*)(type + TypeFlagsOffset) != PyType_GetFlags(type))
        {
            return;
        }

        TypeVersionTagsVerified = true;
        uint first = Lookup(type, lookupName);
        bool modified = PyObject_SetAttr(type, probeName, None) == 0;
        uint afterModification = TypeVersionTag(type);
        uint second = Lookup(type, lookupName);
        bool deleted = PyObject_SetAttr(type, probeName, 0) == 0;
        if (!modified || !deleted)
        {
            PyErr_Clear();
        }

        TypeVersionTagsVerified = modified && deleted && first != 0 && afterModification == 0 && second != 0 && second != first;

        // A lookup through the type's own attributes assigns it a tag, whether or not the name is found.
        static uint Lookup(nint type, nint name)
        {
            nint value = PyObject_GetAttr(type, name);
            if (value == 0)
            {
                PyErr_Clear();
            }
            else
            {
                Py_DecRef(value);
            }

            return TypeVersionTag(type);
        }
    }

    /// <summary>
    /// Checks, through the API, that the fields <see cref="ObjectLayoutVerified"/> covers hold what the API returns,
    /// on a float, a list and a tuple made for the purpose. Call with the GIL held.
    /// </summary>
    private static bool VerifyObjectLayout()
    {
        nint number = PyFloat_FromDouble(1.5), list = PyList_New(0), tuple = PyTuple_New(2);
        try
        {
            if (number == 0 || list == 0 || tuple == 0 || PyList_Append(list, None) != 0 || PyList_Append(list, number) != 0)
            {
                PyErr_Clear();
                return false;
            }

            Py_IncRef(None);
            PyTuple_SetItem(tuple, 0, None);
            Py_IncRef(number);
            PyTuple_SetItem(tuple, 1, number);
            bool header = Header(None) && Header(number) && Header(list) && Header(tuple) && Header(FloatType);
            return header
                && *(double*)(number + 16) == 1.5
                && ((nint*)list)[2] == 2 && ((nint*)list)[2] == NoGCTransition.ListSizeFunction(list)
                && ((nint**)list)[3][1] == number && ((nint**)list)[3][0] == None
                && ((nint*)tuple)[2] == 2 && ((nint*)tuple)[3] == None && ((nint*)tuple)[4] == number;
        }
        finally
        {
            foreach (nint created in (ReadOnlySpan<nint>)[number, list, tuple])
            {
                if (created != 0)
                {
                    Py_DecRef(created);
                }
            }
        }

        static bool Header(nint obj)
        {
            nint type = PyObject_Type(obj);
            s_releaseTypeOfLiveObject(type);
            return type != 0 && ((nint*)obj)[1] == type && ((nint*)obj)[0] > 0;
        }
    }
}
