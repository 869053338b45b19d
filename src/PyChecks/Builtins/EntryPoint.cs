using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>
/// What the built-in modules' native entry points share: the init and exec slots, and the return paths (a new
/// reference to <c>None</c>, <c>True</c> or <c>False</c>; a .NET exception turned into a Python error).
/// </summary>
internal static class EntryPoint
{
    /// <summary>The exec slot of a module that has nothing to set up but its state (<see cref="ModuleState"/>).</summary>
    [UnmanagedCallersOnly]
    public static int ExecState(nint module)
    {
        try
        {
            return NativeModuleDefinition.SetState(module) ? 0 : -1;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Adds integer constants to <paramref name="module"/>; 0, or -1 with the Python error set.</summary>
    public static unsafe int AddIntConstants(nint module, ReadOnlySpan<(string Name, long Value)> constants)
    {
        foreach (var (name, value) in constants)
        {
            using var utf8 = new Utf8Z(name);
            if (CPython.PyModule_AddIntConstant(module, utf8.Pointer, value) != 0)
            {
                return -1;
            }
        }

        return 0;
    }

    /// <summary>A new reference to <c>None</c> (immortal from 3.12 on, where its count is not kept: nothing to add).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static unsafe nint None()
    {
        if (CPython.MinorVersion < 12)
        {
            if (CPython.ObjectLayoutVerified)
            {
                ++*(nint*)CPython.None; // Py_INCREF of 3.9–3.11's default builds: ob_refcnt, first in the header, with the GIL held
            }
            else
            {
                CPython.Py_IncRef(CPython.None);
            }
        }

        return CPython.None;
    }

    /// <summary>A new reference to <c>True</c>.</summary>
    public static unsafe nint True()
    {
        CPython.Py_IncRef(CPython.True);
        return CPython.True;
    }

    /// <summary>A new reference to <c>False</c>.</summary>
    public static unsafe nint False()
    {
        CPython.Py_IncRef(CPython.False);
        return CPython.False;
    }

    /// <summary>Turns a .NET exception into a Python <c>RuntimeError</c> (it must never cross into native code) and returns NULL.</summary>
    public static nint Raise(Exception e)
    {
        try
        {
            Arguments.Raise(CPython.ExcRuntimeError, $"PyChecks host error: {(e is HostServiceException host ? host.HostType : e.GetType().Name)}: {e.Message}");
        }
        catch
        {
            // Nothing may escape to native code; NULL without an error set becomes a SystemError in Python.
        }

        return 0;
    }

    /// <summary>
    /// A module's init function (<c>PyInit_…</c>): its definition for multi-phase initialization, or NULL with a
    /// Python error when building the definition failed.
    /// </summary>
    public static unsafe nint InitModule(Func<NativeModuleDefinition> definition)
    {
        try
        {
            return CPython.PyModuleDef_Init(definition().Definition);
        }
        catch (Exception e)
        {
            return Raise(e);
        }
    }

    /// <summary>For an exec slot: sets a Python error and returns -1.</summary>
    public static int Fail(Exception e)
    {
        Raise(e);
        return -1;
    }
}
