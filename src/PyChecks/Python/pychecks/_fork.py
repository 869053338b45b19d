"""Keeps a process forked from a check out of the host's .NET code. Installed by the host; not part of the check API.

``os.fork()`` in a check copies the host, but only the thread that called it: the .NET runtime's own threads (the
garbage collector's, the signal handling thread, ...) are gone in the child. .NET code run there can hang or crash,
and the frames below the check's Python code on the forking thread are .NET's. So in a forked child:

- the built-in modules' functions, which are .NET code, are replaced by pure-Python ones (see
  :mod:`pychecks._forked_builtins`): samples are dropped (the child's samples could never reach the host), logs go to
  standard error, and what needs the host raises a clear error;
- signals get their default action back and are unblocked: the runtime's handlers only wake a thread the child does
  not have, so without this the child would ignore SIGTERM and SIGINT;
- the checks' standard output and error are the process's own again;
- every entry from .NET into a check's code (:mod:`pychecks._entry`, and ``AgentCheck.run``, which the host calls
  directly) ends the child with ``os._exit`` when the code returns or raises, instead of returning into the host's
  frames.

``subprocess`` is unaffected (its child runs no Python between fork and exec) and ``multiprocessing``'s children end
with ``os._exit`` already.
"""

import json
import os
import signal
import sys
import traceback

#: True in a process forked from the host (or from such a child). Read by pychecks._entry and AgentCheck.run on every call.
forked = False

_host_pid = None

_set_async_exc = None

# The signals whose handlers in the host belong to the .NET runtime (or may), and whose default action a child needs.
_DEFAULT_SIGNALS = (
    'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCHLD', 'SIGCONT', 'SIGTSTP',
    'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGWINCH', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGTRAP', 'SIGABRT',
    'SIGSYS', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGIO',
)


def install(agent_config):
    """Registers the at-fork hook in the host, with what the child's built-ins answer from; a second call does nothing."""
    global _host_pid, _set_async_exc
    if _host_pid is not None:
        return
    from . import _forked_builtins

    _host_pid = os.getpid()
    _set_async_exc = _find_set_async_exc()  # found here: a child only calls it
    _forked_builtins.snapshot(agent_config)
    os.register_at_fork(before=_flush_real_streams, after_in_child=_after_in_child)


def _flush_real_streams():
    # What the process's streams hold would otherwise be written twice: by the host and by the child.
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass


def _after_in_child():
    global forked
    if forked:
        return  # a child of a child: already done
    forked = True
    from . import _forked_builtins, _output

    _settle_async_exception_signal()
    _restore_signals()
    _output.release()
    _forked_builtins.install()
    _end_with_outermost_frame(sys._getframe(1))


class _Settle(BaseException):
    """Raised in the child's own thread to clear CPython's asynchronous-exception signal (see below); never escapes."""


def _settle_async_exception_signal():
    """Clears the "asynchronous exception pending" signal that the child may inherit.

    The host interrupts a run that overstays with ``PyThreadState_SetAsyncExc``, which CPython delivers at that thread's
    next bytecode boundary. Forked while such an exception waits for a thread the child does not have (the run's, blocked
    in C while a thread of the check forks), the child inherits CPython's signal for it (on 3.9–3.12, one per
    interpreter), and nothing there would ever clear it: on 3.11 the profile function set below would then make every
    call spin for ever. Scheduling an exception for this thread and raising it here clears the signal.
    """
    if _set_async_exc is None:
        return  # no ctypes in this build: the child runs on as it is
    import _thread

    try:
        if _set_async_exc(_thread.get_ident(), _Settle) == 1:
            for _ in (0, 1):
                pass
    except _Settle:
        pass


def _find_set_async_exc():
    """``PyThreadState_SetAsyncExc`` through ctypes (libpython's symbols are global in the host), or None without ctypes."""
    try:
        import ctypes

        function = ctypes.pythonapi.PyThreadState_SetAsyncExc
        function.argtypes = (ctypes.c_ulong, ctypes.py_object)
        function.restype = ctypes.c_int
        return function
    except Exception:
        return None


def _end_with_outermost_frame(frame):
    """Ends the child when its thread's outermost Python frame returns, unless the host's entry ends it.

    pychecks._entry.call ends the child itself, and so does ``AgentCheck.run`` (the host calls it without ``call``
    when a check does not replace it). Any other outermost frame (a thread the check started, a ``__del__`` run by a
    release from the host) returns into C: CPython's thread exit, whose ``exit()`` would run the .NET runtime's exit
    handlers, or .NET itself.
    """
    from . import _entry
    from .checks import AgentCheck

    while frame.f_back is not None:
        frame = frame.f_back
    if frame.f_code is _entry.call.__code__ or frame.f_code is AgentCheck.run.__code__:
        return

    def profile(returning, event, arg):
        if event == 'return' and returning is frame:
            _exit(0)

    sys.setprofile(profile)


def _restore_signals():
    signals = [getattr(signal, name) for name in _DEFAULT_SIGNALS if hasattr(signal, name)]
    for signum in signals:
        try:
            signal.signal(signum, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass  # not settable here; the others still are
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    except (OSError, ValueError, AttributeError):
        pass


def _exit(code):
    """Ends the forked child: flushes Python's standard streams (os._exit would not), then os._exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    exit = getattr(os._exit, '__pychecks_original__', os._exit)
    exit(code)


def end_child(result=None):
    """Ends a forked child whose check code returned: 0, or 1 with the error when ``result`` is a failed run's report."""
    code = 1
    try:
        if result.__class__ is not str or not result:
            code = 0
        else:
            try:
                reports = json.loads(result)
                text = '\n'.join(r.get('traceback') or r.get('message') or '' for r in reports)
            except (ValueError, TypeError, AttributeError):
                text = result
            _write_stderr('the check failed in a forked child (pid {}):\n{}'.format(os.getpid(), text))
    finally:
        _exit(code)  # whatever happened above: returning would run .NET code in the child


def end_child_raised(error):
    """Ends a forked child whose check code raised ``error``: SystemExit's code, else 1 after printing the traceback."""
    code = 1
    try:
        if isinstance(error, SystemExit):
            if error.code is None:
                code = 0
            elif isinstance(error.code, int):
                code = error.code & 0xFF
            else:
                _write_stderr(str(error.code))
        else:
            _write_stderr('the check raised in a forked child (pid {}):\n{}'.format(
                os.getpid(), ''.join(traceback.format_exception(type(error), error, error.__traceback__))))
    finally:
        _exit(code)


def _write_stderr(text):
    try:
        sys.stderr.write(text.rstrip('\n') + '\n')
    except Exception:
        pass
