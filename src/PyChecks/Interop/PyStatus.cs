using System.Runtime.InteropServices;

namespace PyChecks.Interop;

/// <summary>
/// CPython's <c>PyStatus</c>, returned by value from the initialization API; its layout is the same in
/// every 3.8–3.14 (an enum, the failing function's name, the message, an exit code).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PyStatus
{
    public int Type;
    public byte* Function;
    public byte* Message;
    public int ExitCode;

    /// <summary>CPython's own wording, as it would print it after "Fatal Python error: ".</summary>
    public readonly string Describe()
    {
        string? message = Message is null ? null : Marshal.PtrToStringUTF8((nint)Message);
        string? function = Function is null ? null : Marshal.PtrToStringUTF8((nint)Function);
        return (function, message) switch
        {
            (not null, not null) => $"{function}: {message}",
            (null, not null) => message,
            _ => "no message",
        };
    }
}
