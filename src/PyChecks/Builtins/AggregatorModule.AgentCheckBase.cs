using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// <c>aggregator._AgentCheckBase</c>: the base type of <c>pychecks.AgentCheck</c>, written in C, with <c>gauge</c>,
/// <c>count</c>, <c>monotonic_count</c>, <c>rate</c>, <c>histogram</c> and <c>historate</c>. Their common case (a
/// <c>str</c> name, a float or int value, a list, tuple or no tags, no hostname, device or namespace) is one call into
/// the host, with no Python frame; every other case calls the Python method of the same name, which the class holds in
/// <c>_python_methods</c> (set by <c>pychecks.checks</c>), so that conversions, defaults and error messages stay
/// Python's. Being methods of a base type, a subclass's override and a mock are found first, and <c>super().gauge</c>,
/// <c>inspect.signature</c> and <c>mock.patch(autospec=True)</c> see an ordinary method (with its text signature).
/// </summary>
internal static unsafe partial class AggregatorModule
{
    private const int MethodMethod = 0x0200; // METH_METHOD: the function also gets the class that defines it
    private const int SlotDoc = 56; // Py_tp_doc
    private const int SlotMethods = 64; // Py_tp_methods
    private const int SlotMembers = 72; // Py_tp_members
    private const int MemberObjectEx = 16; // Py_T_OBJECT_EX: an object field, AttributeError when unset; cleared when the instance dies
    private const ulong TypeFlags = (1UL << 18) | (1UL << 10); // Py_TPFLAGS_DEFAULT (version tag) | Py_TPFLAGS_BASETYPE
    private const int ObjectSize = 16; // sizeof(PyObject) in the default (non-debug) builds of 3.9–3.13
    private const int NamespaceSlotOffset = ObjectSize; // __pychecks_namespace__: one object pointer after the header

    // The parameters of gauge() and its siblings, in order; monotonic_count alone takes the last one.
    private static readonly string[] SubmitParameters = ["name", "value", "tags", "hostname", "device_name", "raw", "flush_first_value"];
    private const int NameIndex = 0, ValueIndex = 1, TagsIndex = 2, HostnameIndex = 3, DeviceIndex = 4, RawIndex = 5, FlushIndex = 6;
    private const int NamespaceName = 7, CheckIdName = 8, PythonMethodsName = 9, NamespaceInSlotName = 10, ProbeName = 11;

    private static nint s_agentCheckBaseSpec;

    /// <summary>Creates the type in <paramref name="module"/> (its methods find <paramref name="state"/> from it); 0, or -1 with the error set.</summary>
    private static int AddAgentCheckBase(nint module, ModuleState state)
    {
        if (state.AgentCheckNames.Length == 0)
        {
            string[] all = [.. SubmitParameters, "__NAMESPACE__", "check_id", "_python_methods", "_namespace_in_slot", "_pychecks_version_probe"];
            nint[] names = new nint[all.Length];
            for (int i = 0; i < all.Length; i++)
            {
                using var utf8 = new Utf8Z(all[i]);
                names[i] = CPython.PyUnicode_InternFromString(utf8.Pointer);
                if (names[i] == 0)
                {
                    return -1;
                }
            }

            state.AgentCheckNames = names;
        }

        s_agentCheckBaseSpec = s_agentCheckBaseSpec != 0 ? s_agentCheckBaseSpec : CreateSpec();
        nint type = CPython.PyType_FromModuleAndSpec(module, s_agentCheckBaseSpec, 0);
        if (type == 0)
        {
            return -1;
        }

        CPython.VerifyTypeVersionTags(type, state.AgentCheckNames[CheckIdName], state.AgentCheckNames[ProbeName]);
        if (WrapSubmitMethods(module, type) != 0)
        {
            CPython.Py_DecRef(type);
            return -1;
        }

        int result;
        using (var name = new Utf8Z("_AgentCheckBase"))
        {
            result = CPython.PyObject_SetAttrString(module, name.Pointer, type);
        }

        CPython.Py_DecRef(type);
        return result;
    }

    /// <summary>The <c>PyType_Spec</c> (stable ABI), with its slots and method table, in native memory kept for the process's life.</summary>
    private static nint CreateSpec()
    {
        (string Name, nint Function, string Doc)[] methods =
        [
            ("gauge", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&Gauge, "Submit a gauge: the last value in the flush interval wins.\n\n- **name** (*str*): the metric name, prefixed with ``__NAMESPACE__`` unless ``raw``.\n- **value** (*float*): the value; ``None`` is ignored, non-numbers raise ``ValueError``.\n- **tags** (*list of str*): tags of the sample.\n- **hostname** (*str*): the host the sample is about; the default is the host's.\n- **device_name** (*str*): deprecated, adds a ``device:<device_name>`` tag.\n- **raw** (*bool*): do not prefix the name with ``__NAMESPACE__``."),
            ("count", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&Count, "Submit a raw count (summed over the flush interval). Arguments as :meth:`gauge`."),
            ("monotonic_count", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&MonotonicCount, "Submit an ever-increasing counter; the delta between samples is reported.\n\nArguments as :meth:`gauge`, plus ``flush_first_value``: report the first\nsample's value as a delta instead of only using it as the baseline."),
            ("rate", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&Rate, "Submit a point whose per-second rate is computed between runs. Arguments as :meth:`gauge`."),
            ("histogram", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&Histogram, "Submit a histogram sample (aggregated into avg, max, percentiles...). Arguments as :meth:`gauge`."),
            ("historate", (nint)(delegate* unmanaged<nint, nint, nint*, nint, nint, nint>)&Historate, "Submit a histogram of rates. Arguments as :meth:`gauge`."),
        ];

        const int methodSize = 32;
        byte* table = (byte*)TrackedAllocator.AllocZeroed((nuint)((methods.Length + 1) * methodSize));
        s_submitMethodTable = (nint)table;
        for (int i = 0; i < methods.Length; i++)
        {
            var (name, function, doc) = methods[i];
            string signature = name == "monotonic_count"
                ? "($self, name, value, tags=None, hostname=None, device_name=None, raw=False, flush_first_value=False)"
                : "($self, name, value, tags=None, hostname=None, device_name=None, raw=False)";
            byte* entry = table + (i * methodSize);
            *(nint*)entry = NativeModuleDefinition.Utf8(name);
            *(nint*)(entry + 8) = function;
            *(int*)(entry + 16) = MethodMethod | NativeMethod.FastCall | NativeMethod.Keywords;
            *(nint*)(entry + 24) = NativeModuleDefinition.Utf8($"{name}{signature}\n--\n\n{doc}");
        }

        nint members = ObjectMember("__pychecks_namespace__", NamespaceSlotOffset,
            "Where AgentCheck's __NAMESPACE__ keeps its value, read by the submission methods without a lookup.");
        return TypeSpec("aggregator._AgentCheckBase", ObjectSize + 8, TypeFlags, // basicsize: the header and the namespace slot
        [
            (SlotDoc, NativeModuleDefinition.Utf8("The base of pychecks.AgentCheck: its metric submission methods, written in C.")),
            (SlotMethods, (nint)table),
            (SlotMembers, members),
        ]);
    }

    /// <summary>
    /// A table of one <c>PyMemberDef</c> (an object field at <paramref name="offset"/>, AttributeError when unset) and its
    /// zeroed end, in native memory kept for the process's life. The field is writable: a heap type's dealloc releases
    /// only writable object members.
    /// </summary>
    private static nint ObjectMember(string name, int offset, string? doc)
    {
        const int memberSize = 40; // PyMemberDef: name, type, offset, flags, doc
        byte* members = (byte*)TrackedAllocator.AllocZeroed(2 * memberSize);
        *(nint*)members = NativeModuleDefinition.Utf8(name);
        *(int*)(members + 8) = MemberObjectEx;
        *(nint*)(members + 16) = offset;
        *(nint*)(members + 32) = doc is null ? 0 : NativeModuleDefinition.Utf8(doc);
        return (nint)members;
    }

    /// <summary>A <c>PyType_Spec</c> (stable ABI) with its slots, in native memory kept for the process's life.</summary>
    private static nint TypeSpec(string name, int basicSize, ulong flags, (int Slot, nint Value)[] slots)
    {
        const int slotSize = 16, specSize = 32;
        byte* table = (byte*)TrackedAllocator.AllocZeroed((nuint)((slots.Length + 1) * slotSize));
        for (int i = 0; i < slots.Length; i++)
        {
            *(int*)(table + (i * slotSize)) = slots[i].Slot;
            *(nint*)(table + (i * slotSize) + 8) = slots[i].Value;
        }

        byte* spec = (byte*)TrackedAllocator.AllocZeroed(specSize);
        *(nint*)spec = NativeModuleDefinition.Utf8(name);
        *(int*)(spec + 8) = basicSize;
        *(int*)(spec + 12) = 0; // itemsize
        *(uint*)(spec + 16) = (uint)flags;
        *(nint*)(spec + 24) = (nint)table;
        return (nint)spec;
    }

    [UnmanagedCallersOnly]
    private static nint Gauge(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.Gauge, 0, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Count(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.Count, 1, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint MonotonicCount(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.MonotonicCount, 2, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Rate(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.Rate, 3, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Histogram(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.Histogram, 4, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    [UnmanagedCallersOnly]
    private static nint Historate(nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        try
        {
            return SubmitMethod(MetricType.Historate, 5, self, definingClass, args, count, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    private static readonly string[] SubmitMethodNames = ["gauge", "count", "monotonic_count", "rate", "histogram", "historate"];

    /// <summary>How many submission methods <c>_AgentCheckBase</c> has (<c>gauge</c>, <c>count</c>, …).</summary>
    internal const int SubmitMethodCount = 6;

    /// <summary>One call of a submission method: the common case submitted here, every other one handed to Python.</summary>
    private static nint SubmitMethod(MetricType type, int method, nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        var state = ModuleState.OfClass(definingClass);
        return TrySubmitCommonCase(state, type, self, definingClass, args, count, keywords)
            ? EntryPoint.None()
            : CallPythonMethod(state, method, self, definingClass, args, count, keywords);
    }

    /// <summary>
    /// Submits when the call is the common case, as the Python method's fast path would; false (nothing submitted,
    /// no error set) for anything else: an unusual call shape, a hostname, device or namespace, other types.
    /// </summary>
    private static bool TrySubmitCommonCase(ModuleState state, MetricType type, nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        nint[] names = state.AgentCheckNames;

        // The commonest call, self.gauge(name, value, tags=tags): no slots to fill, no other argument to rule out.
        if (count == 2 && keywords != 0 && CPython.NoGCTransition.PyTuple_Size(keywords) == 1 && CPython.NoGCTransition.PyTuple_GetItem(keywords, 0) == names[TagsIndex])
        {
            return NamespaceIsEmpty(state, self, definingClass) && TrySubmitFor(state, type, self, args[0], args[1], args[2], CPython.False);
        }

        return TryBindAndSubmit(state, type, self, definingClass, args, count, keywords);
    }

    /// <summary>The other call shapes of <see cref="TrySubmitCommonCase"/>: the arguments bound to the parameters, then the same rules.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryBindAndSubmit(ModuleState state, MetricType type, nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        nint[] names = state.AgentCheckNames;
        int parameters = type == MetricType.MonotonicCount ? FlushIndex + 1 : RawIndex + 1;
        if (count > parameters)
        {
            return false;
        }

        nint* values = stackalloc nint[FlushIndex + 1];
        new Span<nint>(values, FlushIndex + 1).Clear();
        for (int i = 0; i < count; i++)
        {
            values[i] = args[i];
        }

        if (keywords != 0)
        {
            for (nint k = 0, n = CPython.NoGCTransition.PyTuple_Size(keywords); k < n; k++)
            {
                nint keyword = CPython.NoGCTransition.PyTuple_GetItem(keywords, k);
                int index = -1;
                for (int p = 0; p < parameters; p++)
                {
                    if (names[p] == keyword)
                    {
                        index = p;
                        break;
                    }
                }

                // A keyword not interned, unknown, or given twice: Python's binding decides (and words the error).
                if (index < 0 || values[index] != 0)
                {
                    return false;
                }

                values[index] = args[count + k];
            }
        }

        nint raw = values[RawIndex], hostname = values[HostnameIndex], device = values[DeviceIndex];
        if (values[NameIndex] == 0 || values[ValueIndex] == 0
            || (hostname != 0 && hostname != CPython.None)
            || (device != 0 && device != CPython.None)
            || (raw != 0 && raw != CPython.True && raw != CPython.False))
        {
            return false;
        }

        nint flush = values[FlushIndex] != 0 ? values[FlushIndex] : CPython.False;
        nint tags = values[TagsIndex] != 0 ? values[TagsIndex] : CPython.None;
        if (raw != CPython.True && !NamespaceIsEmpty(state, self, definingClass))
        {
            return false;
        }

        return TrySubmitFor(state, type, self, values[NameIndex], values[ValueIndex], tags, flush);
    }

    /// <summary>The common case's submission, its arguments bound: for the running check, or the one <c>self.check_id</c> names.</summary>
    private static bool TrySubmitFor(ModuleState state, MetricType type, nint self, nint name, nint value, nint tags, nint flush)
    {
        if (CheckRunContext.Current is { } current && current.Instance == self)
        {
            // The check's own run: its context, with no check_id to read and look up.
            return TrySubmitFast(state, current, (int)type, name, value, tags, flush, running: true);
        }

        return TrySubmitForCheckId(state, type, self, name, value, tags, flush);
    }

    /// <summary>A submission on a check instance that is not the running one: by the check it names in <c>self.check_id</c>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TrySubmitForCheckId(ModuleState state, MetricType type, nint self, nint name, nint value, nint tags, nint flush)
    {
        nint checkIdObject = CPython.PyObject_GetAttr(self, state.AgentCheckNames[CheckIdName]);
        if (checkIdObject == 0)
        {
            CPython.PyErr_Clear(); // Python's method raises the AttributeError, with its own traceback
            return false;
        }

        try
        {
            return state.Strings.TryGet(checkIdObject, out string checkId)
                && TrySubmitFast(state, state.Sink.Resolve(checkId), (int)type, name, value, tags, flush, running: false);
        }
        finally
        {
            CPython.Py_DecRef(checkIdObject);
        }
    }

    /// <summary>
    /// <c>cls._python_methods[name](self, *args, **kwargs)</c>: the Python method of the same name, with the call's own
    /// arguments. A new reference, or 0 with the error set.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint CallPythonMethod(ModuleState state, int method, nint self, nint definingClass, nint* args, nint count, nint keywords)
    {
        nint methods = CPython.PyObject_GetAttr(definingClass, state.AgentCheckNames[PythonMethodsName]);
        if (methods == 0)
        {
            return 0;
        }

        nint function;
        using (var name = new Utf8Z(SubmitMethodNames[method]))
        {
            function = CPython.IsExactType(methods, CPython.DictType) ? CPython.PyDict_GetItemString(methods, name.Pointer) : 0;
        }

        if (function == 0)
        {
            CPython.Py_DecRef(methods);
            Arguments.Raise(CPython.ExcRuntimeError, $"aggregator._AgentCheckBase._python_methods has no '{SubmitMethodNames[method]}'");
            return 0;
        }

        CPython.Py_IncRef(function);
        CPython.Py_DecRef(methods);
        nint keywordCount = keywords == 0 ? 0 : CPython.NoGCTransition.PyTuple_Size(keywords);
        nint positional = CPython.PyTuple_New(count + 1);
        nint kwargs = keywordCount == 0 ? 0 : CPython.PyDict_New();
        nint result = 0;
        if (positional != 0 && (keywordCount == 0 || kwargs != 0))
        {
            CPython.Py_IncRef(self);
            CPython.PyTuple_SetItem(positional, 0, self);
            for (int i = 0; i < count; i++)
            {
                CPython.Py_IncRef(args[i]);
                CPython.PyTuple_SetItem(positional, i + 1, args[i]);
            }

            bool filled = true;
            for (nint k = 0; k < keywordCount && filled; k++)
            {
                filled = CPython.PyDict_SetItem(kwargs, CPython.NoGCTransition.PyTuple_GetItem(keywords, k), args[count + k]) == 0;
            }

            if (filled)
            {
                result = CPython.PyObject_Call(function, positional, kwargs);
            }
        }

        CPython.Py_DecRef(function);
        if (positional != 0)
        {
            CPython.Py_DecRef(positional);
        }

        if (kwargs != 0)
        {
            CPython.Py_DecRef(kwargs);
        }

        return result;
    }
}
