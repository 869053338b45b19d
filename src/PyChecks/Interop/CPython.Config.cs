namespace PyChecks.Interop;

/// <summary>
/// The <c>PyConfig</c> initialization API (PEP 587), exported since 3.8. <c>PyConfig</c> itself grows
/// between versions, so PyChecks never declares it: it hands CPython a zeroed buffer larger than any
/// version's struct and sets what it needs through the command line CPython parses (<c>parse_argv</c>).
/// </summary>
internal static unsafe partial class CPython
{
    /// <summary>Bytes reserved for a <c>PyConfig</c>: about 400 on 3.9 and 600 on 3.13 (x64), so ample room.</summary>
    public const int ConfigBufferSize = 4096;

    public static delegate* unmanaged<byte*, void> PyConfig_InitPythonConfig;
    public static delegate* unmanaged<byte*, nint, byte**, PyStatus> PyConfig_SetBytesArgv;
    public static delegate* unmanaged<byte*, void> PyConfig_Clear;
    public static delegate* unmanaged<byte*, PyStatus> Py_InitializeFromConfig;
    public static delegate* unmanaged<PyStatus, int> PyStatus_Exception;
    public static delegate* unmanaged<PyStatus, int> PyStatus_IsExit;

    private static void BindConfig(Binder b)
    {
        // Py_InitializeFromConfig first: a library that is not CPython fails on the name that matters most.
        Py_InitializeFromConfig = (delegate* unmanaged<byte*, PyStatus>)b.Get("Py_InitializeFromConfig");
        PyConfig_InitPythonConfig = (delegate* unmanaged<byte*, void>)b.Get("PyConfig_InitPythonConfig");
        PyConfig_SetBytesArgv = (delegate* unmanaged<byte*, nint, byte**, PyStatus>)b.Get("PyConfig_SetBytesArgv");
        PyConfig_Clear = (delegate* unmanaged<byte*, void>)b.Get("PyConfig_Clear");
        PyStatus_Exception = (delegate* unmanaged<PyStatus, int>)b.Get("PyStatus_Exception");
        PyStatus_IsExit = (delegate* unmanaged<PyStatus, int>)b.Get("PyStatus_IsExit");
    }
}
