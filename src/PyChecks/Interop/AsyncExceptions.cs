namespace PyChecks.Interop;

/// <summary>
/// Raising an exception in another thread's Python code (<c>PyThreadState_SetAsyncExc</c>): how a run that
/// overstays is interrupted. CPython delivers it at that thread's next bytecode boundary. Call with the GIL held.
/// </summary>
internal static unsafe class AsyncExceptions
{
    /// <summary>The calling thread's Python thread id (<c>threading.get_ident()</c>).</summary>
    public static nuint CurrentThreadId() => CPython.PyThread_get_thread_ident();

    /// <summary>Schedules <paramref name="exceptionType"/> to be raised in the Python code of thread <paramref name="threadId"/>.</summary>
    /// <returns>Whether a thread state with that id was found.</returns>
    public static bool Raise(nuint threadId, PyObject exceptionType) =>
        CPython.PyThreadState_SetAsyncExc(threadId, exceptionType.Handle) == 1;

    /// <summary>Drops an exception scheduled for thread <paramref name="threadId"/> that has not been raised yet.</summary>
    public static void Clear(nuint threadId) => CPython.PyThreadState_SetAsyncExc(threadId, 0);
}
