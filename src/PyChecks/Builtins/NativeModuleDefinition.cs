using PyChecks.Interop;

namespace PyChecks.Builtins;


/// <summary>
/// A <c>PyModuleDef</c> for multi-phase initialization (PEP 489), laid out in native memory that lives as
/// long as the process. These structs belong to the stable ABI, so writing them is version-proof. One more
/// pointer follows the struct: the GC handle of the <see cref="ModuleState"/> the host gave at registration
/// (<see cref="Attach"/>). The exec slot copies it into the module's own state (one pointer), where every function
/// finds it from its <c>self</c>; so a module could later be loaded in several interpreters, each with its own.
/// </summary>
internal sealed unsafe class NativeModuleDefinition
{
    // PyModuleDef (64-bit): PyModuleDef_Base (PyObject_HEAD 16, m_init 8, m_index 8, m_copy 8) = 40,
    // then m_name, m_doc, m_size, m_methods, m_slots, m_traverse, m_clear, m_free.
    private const int DefinitionSize = 104;
    private const int StateHandleOffset = DefinitionSize; // ours, after the struct CPython reads
    private const int MethodSize = 32;
    private const int SlotSize = 16;
    private const int ModExec = 2;
    private const int ModMultipleInterpreters = 3;

    public NativeModuleDefinition(string name, string doc, IReadOnlyList<NativeMethod> methods, delegate* unmanaged<nint, int> exec)
    {
        Name = name;
        byte* methodTable = (byte*)TrackedAllocator.AllocZeroed((nuint)((methods.Count + 1) * MethodSize));
        for (int i = 0; i < methods.Count; i++)
        {
            byte* entry = methodTable + (i * MethodSize);
            *(nint*)entry = Utf8(methods[i].Name);
            *(nint*)(entry + 8) = methods[i].Function;
            *(int*)(entry + 16) = methods[i].Flags;
            *(nint*)(entry + 24) = Utf8(methods[i].Doc);
        }

        byte* slots = (byte*)TrackedAllocator.AllocZeroed(3 * SlotSize);
        *(int*)slots = ModExec;
        *(void**)(slots + 8) = exec;
        if (CPython.MinorVersion >= 12)
        {
            *(int*)(slots + SlotSize) = ModMultipleInterpreters;
            *(nint*)(slots + SlotSize + 8) = 1; // Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED: one GIL shared
        }

        byte* def = (byte*)TrackedAllocator.AllocZeroed((nuint)(DefinitionSize + sizeof(nint)));
        *(long*)def = uint.MaxValue; // ob_refcnt: immortal on 3.12+, reset to 1 by PyModuleDef_Init before
        *(nint*)(def + 40) = Utf8(name);
        *(nint*)(def + 48) = Utf8(doc);
        *(nint*)(def + 56) = sizeof(nint); // m_size: the per-module state
        *(nint*)(def + 64) = (nint)methodTable;
        *(nint*)(def + 72) = (nint)slots;
        Definition = (nint)def;
    }

    /// <summary>The module name.</summary>
    public string Name { get; }

    /// <summary>The <c>PyModuleDef*</c>.</summary>
    public nint Definition { get; }

    /// <summary>Gives the module the state its functions will find (a GC handle to a <see cref="ModuleState"/>); call before it is imported.</summary>
    public void Attach(nint stateHandle) => *(nint*)((byte*)Definition + StateHandleOffset) = stateHandle;

    /// <summary>
    /// For the exec slot: copies the handle its definition was given into <paramref name="module"/>'s state. Raises (and
    /// returns false) when the host registered the module without a state.
    /// </summary>
    public static bool SetState(nint module)
    {
        nint state = CPython.PyModule_GetState(module);
        nint definition = CPython.PyModule_GetDef(module);
        nint handle = definition == 0 ? 0 : *(nint*)((byte*)definition + StateHandleOffset);
        if (handle == 0)
        {
            return Arguments.Raise(CPython.ExcRuntimeError, "PyChecks host error: this built-in module was registered without the host's state");
        }

        *(nint*)state = handle;
        return true;
    }

    /// <summary>NUL-terminated UTF-8 in native memory kept for the process's life.</summary>
    public static nint Utf8(string text) => (nint)TrackedAllocator.Utf8(text);
}
