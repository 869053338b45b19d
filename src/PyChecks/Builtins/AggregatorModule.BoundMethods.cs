using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// On Python 3.9 and 3.10, <c>self.gauge(name, value, tags=t)</c> compiles to an attribute read, then a call: the read binds
/// the method descriptor to <c>self</c>, allocating a bound method (a garbage-collected object) that the call then
/// drops, on every sample. There, each of <c>_AgentCheckBase</c>'s submission methods sits in the class behind a
/// descriptor of its own, <c>aggregator._SubmitMethod</c>, which binds as the method descriptor does, except for the
/// running check's own instance on its run's thread, whose bound method it makes once and keeps in the check's context
/// for its later runs. Read on a class (<c>AgentCheck.gauge</c>, <c>super()</c> on a class, <c>inspect</c>, mocks), it
/// gives the method descriptor itself, and every other attribute of it is the method descriptor's: what anyone reading
/// the class sees is unchanged. 3.11 and later call methods without binding them, and keep the plain descriptors.
/// </summary>
internal static unsafe partial class AggregatorModule
{
    private const int SlotCall = 50; // Py_tp_call
    private const int SlotDescrGet = 54; // Py_tp_descr_get
    private const int SlotGetAttro = 58; // Py_tp_getattro
    private const int SlotRepr = 66; // Py_tp_repr
    private const ulong DefaultTypeFlag = 1UL << 18; // Py_TPFLAGS_DEFAULT
    private const int WrappedOffset = ObjectSize; // the method descriptor, an object member (released when the wrapper dies)
    private const int IndexOffset = ObjectSize + 8; // the method's index in the table (SubmitMethodNames)
    private const int DescriptorTypeOffset = ObjectSize; // PyDescrObject.d_type, in every default build of 3.9–3.13
    private const int DescriptorMethodOffset = ObjectSize + 24; // PyMethodDescrObject.d_method, after d_type, d_name, d_qualname

    private static nint s_submitMethodTable;
    private static nint s_submitMethodSpec;

    /// <summary>
    /// On 3.9 and 3.10 with the object layout verified, puts each submission method of <paramref name="type"/> behind an
    /// <c>aggregator._SubmitMethod</c>, after checking that its method descriptor is laid out as expected. 0, or -1 with
    /// the error set.
    /// </summary>
    private static int WrapSubmitMethods(nint module, nint type)
    {
        if (CPython.MinorVersion is not (9 or 10) || !CPython.ObjectLayoutVerified)
        {
            return 0;
        }

        s_submitMethodSpec = s_submitMethodSpec != 0 ? s_submitMethodSpec : CreateSubmitMethodSpec();
        nint wrapperType = CPython.PyType_FromModuleAndSpec(module, s_submitMethodSpec, 0);
        if (wrapperType == 0)
        {
            return -1;
        }

        try
        {
            for (int i = 0; i < SubmitMethodNames.Length; i++)
            {
                using var name = new Utf8Z(SubmitMethodNames[i]);
                nint descriptor = CPython.PyObject_GetAttrString(type, name.Pointer);
                if (descriptor == 0)
                {
                    return -1;
                }

                try
                {
                    if (*(nint*)(descriptor + DescriptorTypeOffset) != type
                        || *(nint*)(descriptor + DescriptorMethodOffset) != s_submitMethodTable + (i * 32))
                    {
                        return 0; // not the layout expected: every method keeps its plain descriptor
                    }

                    nint wrapper = CPython.PyObject_CallNoArgs(wrapperType);
                    if (wrapper == 0)
                    {
                        return -1;
                    }

                    CPython.Py_IncRef(descriptor);
                    *(nint*)(wrapper + WrappedOffset) = descriptor;
                    *(nint*)(wrapper + IndexOffset) = i;
                    int set = CPython.PyObject_SetAttrString(type, name.Pointer, wrapper);
                    CPython.Py_DecRef(wrapper);
                    if (set != 0)
                    {
                        return -1;
                    }
                }
                finally
                {
                    CPython.Py_DecRef(descriptor);
                }
            }

            return 0;
        }
        finally
        {
            CPython.Py_DecRef(wrapperType);
        }
    }

    /// <summary>The <c>PyType_Spec</c> of <c>aggregator._SubmitMethod</c>, in native memory kept for the process's life.</summary>
    private static nint CreateSubmitMethodSpec() => TypeSpec("aggregator._SubmitMethod", ObjectSize + 16, DefaultTypeFlag, // the header, the method descriptor, the index
    [
        (SlotDescrGet, (nint)(delegate* unmanaged<nint, nint, nint, nint>)&BindSubmitMethod),
        (SlotCall, (nint)(delegate* unmanaged<nint, nint, nint, nint>)&CallSubmitMethod),
        (SlotGetAttro, (nint)(delegate* unmanaged<nint, nint, nint>)&SubmitMethodAttribute),
        (SlotRepr, (nint)(delegate* unmanaged<nint, nint>)&SubmitMethodRepr),
        (SlotMembers, ObjectMember("_descriptor", WrappedOffset, doc: null)),
        (SlotDoc, NativeModuleDefinition.Utf8("A submission method of aggregator._AgentCheckBase on Python 3.9 and 3.10: binds it once for the running check.")),
    ]);

    /// <summary>
    /// <c>tp_descr_get</c>: the method descriptor itself on a class; for the running check's instance on its run's thread,
    /// the bound method kept in its context (made the first time); for any other instance, a new bound method, as the
    /// method descriptor makes it (an object that is not an instance of the defining class: the descriptor's own error).
    /// </summary>
    [UnmanagedCallersOnly]
    private static nint BindSubmitMethod(nint wrapper, nint instance, nint type)
    {
        try
        {
            nint descriptor = *(nint*)(wrapper + WrappedOffset);
            if (instance == 0)
            {
                CPython.Py_IncRef(descriptor);
                return descriptor;
            }

            if (CheckRunContext.Current is { } current && current.Instance == instance)
            {
                ref nint bound = ref current.BoundSubmitMethod((int)*(nint*)(wrapper + IndexOffset));
                if (bound == 0)
                {
                    bound = NewBoundMethod(descriptor, instance, type);
                }

                if (bound != 0)
                {
                    CPython.Py_IncRef(bound);
                }

                return bound;
            }

            return NewBoundMethod(descriptor, instance, type);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary>What the method descriptor's <c>__get__</c> returns: a new reference, or 0 with the error set.</summary>
    private static nint NewBoundMethod(nint descriptor, nint instance, nint type)
    {
        nint definingClass = *(nint*)(descriptor + DescriptorTypeOffset);
        if (CPython.PyType_IsSubtype(CPython.TypeOf(instance), definingClass) != 0)
        {
            return CPython.PyCMethod_New(*(nint*)(descriptor + DescriptorMethodOffset), instance, 0, definingClass);
        }

        // Not an instance of the class: the descriptor's own __get__ raises its own TypeError.
        using var get = new Utf8Z("__get__");
        nint method = CPython.PyObject_GetAttrString(descriptor, get.Pointer);
        if (method == 0)
        {
            return 0;
        }

        nint arguments = CPython.PyTuple_New(2);
        nint result = 0;
        if (arguments != 0)
        {
            CPython.Py_IncRef(instance);
            CPython.PyTuple_SetItem(arguments, 0, instance);
            nint owner = type != 0 ? type : CPython.None;
            CPython.Py_IncRef(owner);
            CPython.PyTuple_SetItem(arguments, 1, owner);
            result = CPython.PyObject_Call(method, arguments, 0);
            CPython.Py_DecRef(arguments);
        }

        CPython.Py_DecRef(method);
        return result;
    }

    /// <summary><c>tp_call</c>: the method descriptor called with the same arguments (<c>vars(cls)['gauge'](self, ...)</c>).</summary>
    [UnmanagedCallersOnly]
    private static nint CallSubmitMethod(nint wrapper, nint arguments, nint keywords)
    {
        try
        {
            return CPython.PyObject_Call(*(nint*)(wrapper + WrappedOffset), arguments, keywords);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary><c>tp_getattro</c>: every attribute is the method descriptor's (<c>__name__</c>, <c>__doc__</c>, <c>__text_signature__</c>...).</summary>
    [UnmanagedCallersOnly]
    private static nint SubmitMethodAttribute(nint wrapper, nint name)
    {
        try
        {
            return CPython.PyObject_GetAttr(*(nint*)(wrapper + WrappedOffset), name);
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }

    /// <summary><c>tp_repr</c>: the method descriptor's.</summary>
    [UnmanagedCallersOnly]
    private static nint SubmitMethodRepr(nint wrapper)
    {
        try
        {
            return CPython.PyObject_Repr(*(nint*)(wrapper + WrappedOffset));
        }
        catch (Exception e)
        {
            return EntryPoint.Raise(e);
        }
    }
}
