using PyChecks.Interop;

namespace PyChecks.Builtins;

/// <summary>Return paths shared by the built-in functions.</summary>
internal static class Builtin
{
    /// <summary>A new reference to <c>None</c>.</summary>
    public static unsafe nint None()
    {
        CPython.Py_IncRef(CPython.None);
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
            Arguments.Raise(CPython.ExcRuntimeError, $"PyChecks host error: {e.GetType().Name}: {e.Message}");
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
