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

    /// <summary>
    /// Withdraws an exception that <see cref="Raise"/> scheduled for the calling thread and that has not been raised yet,
    /// by raising it here, in <paramref name="deliver"/> (a Python function that runs a few bytecodes), and clearing it.
    /// </summary>
    /// <remarks>
    /// Not with <c>PyThreadState_SetAsyncExc(id, NULL)</c>: on CPython 3.9–3.12 that sets the interpreter's "asynchronous
    /// exception pending" signal, which only an exception actually raised clears. Left set, every thread of the
    /// interpreter takes the eval loop's slow path at each check, a process forked later inherits it, and on 3.11 a call
    /// made under a profile or trace function (<c>sys.setprofile</c>, <c>sys.settrace</c>) spins for ever. Scheduling the
    /// exception again for this thread replaces one still pending, and raising it clears the signal on every version.
    /// </remarks>
    public static void WithdrawOwn(PyObject exceptionType, PyObject deliver)
    {
        if (!Raise(CurrentThreadId(), exceptionType))
        {
            return; // no thread state for this thread: nothing can be pending for it
        }

        nint result = CPython.PyObject_CallNoArgs(deliver.Handle);
        if (result != 0)
        {
            // Not raised (no bytecode boundary checked the signal): drop it the old way, rather than let it hit later code.
            CPython.Py_DecRef(result);
            CPython.PyThreadState_SetAsyncExc(CurrentThreadId(), 0);
            return;
        }

        CPython.PyErr_Clear(); // the exception withdrawn (or, were the call to fail otherwise, that failure: nothing to report it to)
    }
}
