using System.Runtime.CompilerServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// Whether a check's <c>__NAMESPACE__</c> is empty, for <c>_AgentCheckBase</c>'s submission methods: read from the
/// instance's slot when its type is known to leave the attribute to AgentCheck's descriptor, as an attribute otherwise.
/// </summary>
internal static unsafe partial class AggregatorModule
{
    // Types seen by NamespaceIsEmpty, by address and version tag: whether their instances' __NAMESPACE__ is AgentCheck's,
    // kept in the slot. A type's address and tag together are never reused, so no entry can describe another type.
    private static readonly NamespaceType[] s_namespaceTypes = new NamespaceType[64];

    private readonly record struct NamespaceType(nint Type, uint Tag, bool InSlot);

    /// <summary>
    /// Whether <c>self.__NAMESPACE__</c> is empty (<c>''</c>, None or False); false when it is anything else or cannot be
    /// read. When <c>type(self)</c> is known (by its version tag) to leave <c>__NAMESPACE__</c> to AgentCheck's descriptor,
    /// which keeps the value in the instance's slot and which neither the instance's dict nor <c>__getattr__</c> can
    /// shadow, the slot is read directly; otherwise the attribute is read.
    /// </summary>
    private static bool NamespaceIsEmpty(ModuleState state, nint self, nint definingClass)
    {
        nint type = CPython.TypeOf(self);
        uint tag = CPython.TypeVersionTag(type);
        if (tag != 0)
        {
            ref var entry = ref s_namespaceTypes[(int)((nuint)type >> 4) & (s_namespaceTypes.Length - 1)];
            if (entry.Type != type || entry.Tag != tag)
            {
                if (!NamespaceIsInSlot(state, definingClass, type, out bool inSlot) || CPython.TypeVersionTag(type) != tag)
                {
                    return ReadNamespaceIsEmpty(self, state.AgentCheckNames[NamespaceName]);
                }

                entry = new NamespaceType(type, tag, inSlot);
            }

            if (entry.InSlot)
            {
                nint value = *(nint*)(self + NamespaceSlotOffset);
                return value == 0 || value == CPython.EmptyString || value == CPython.None || value == CPython.False;
            }
        }

        return ReadNamespaceIsEmpty(self, state.AgentCheckNames[NamespaceName]);
    }

    /// <summary><c>cls._namespace_in_slot(type)</c> (set by <c>pychecks.checks</c>); false when it cannot be asked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool NamespaceIsInSlot(ModuleState state, nint definingClass, nint type, out bool inSlot)
    {
        inSlot = false;
        nint probe = CPython.PyObject_GetAttr(definingClass, state.AgentCheckNames[NamespaceInSlotName]);
        if (probe == 0)
        {
            CPython.PyErr_Clear();
            return false;
        }

        nint arguments = CPython.PyTuple_New(1);
        nint result = 0;
        if (arguments != 0)
        {
            CPython.Py_IncRef(type);
            CPython.PyTuple_SetItem(arguments, 0, type);
            result = CPython.PyObject_Call(probe, arguments, 0);
            CPython.Py_DecRef(arguments);
        }

        CPython.Py_DecRef(probe);
        if (result == 0)
        {
            CPython.PyErr_Clear();
            return false;
        }

        inSlot = result == CPython.True;
        CPython.Py_DecRef(result);
        return true;
    }

    /// <summary>Whether <c>self.__NAMESPACE__</c>, read as an attribute, is empty; false when it is anything else or cannot be read.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool ReadNamespaceIsEmpty(nint self, nint name)
    {
        nint value = CPython.PyObject_GetAttr(self, name);
        if (value == 0)
        {
            CPython.PyErr_Clear();
            return false;
        }

        if (value == CPython.EmptyString || value == CPython.None || value == CPython.False)
        {
            CPython.Py_DecRefHeld(value); // singletons the interpreter keeps
            return true;
        }

        CPython.Py_DecRef(value);
        return false;
    }
}
