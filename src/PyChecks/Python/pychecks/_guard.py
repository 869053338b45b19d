"""Keeps checks from ending the host process. Installed by the host at start; not part of the check author's API.

A check shares its process with the host and every other check. ``os.abort()`` and ``os._exit()`` would end
that process at once, skipping every ``finally`` and the host's own shutdown, and a signal sent to it would end
it or start the host's shutdown. In the host process these calls raise :class:`pychecks.ProcessExitRefused`
instead, which fails the run that made them. In any other process (a child made by ``os.fork()`` or
``multiprocessing``, whose normal way out is ``os._exit()``) they do what they always do.

Only the Python functions are guarded: C code (``ctypes``, a C extension) can still end the process.
"""

import functools
import os
import signal

import _signal
import posix

from .errors import ProcessExitRefused

_host_pid = None


def _in_host():
    return os.getpid() == _host_pid


def _signal_name(signum):
    try:
        return signal.Signals(signum).name
    except (ValueError, TypeError):
        return repr(signum)


def _targets_host(pid):
    """Whether os.kill(pid, ...) reaches this process: itself, its process group (0 or -pgid), or every process (-1)."""
    if not isinstance(pid, int):
        return False
    return pid in (_host_pid, 0, -1) or (pid < -1 and -pid == os.getpgrp())


def _refuse(call):
    raise ProcessExitRefused(
        '{} was refused: it would end the host process, which runs other checks. '
        'Raise an exception to fail the run instead.'.format(call))


def _wrap(original, guard):
    @functools.wraps(original)
    def guarded(*args, **kwargs):
        if _in_host():
            guard(*args, **kwargs)
        return original(*args, **kwargs)

    guarded.__pychecks_original__ = original
    return guarded


def _guard_abort(*args, **kwargs):
    _refuse('os.abort()')


def _guard_exit(status=None, *args, **kwargs):
    _refuse('os._exit({!r})'.format(status))


def _guard_kill(pid=None, signum=0, *args, **kwargs):
    if signum != 0 and _targets_host(pid):
        _refuse('os.kill({!r}, {}) (a signal to the host process)'.format(pid, _signal_name(signum)))


def _guard_killpg(pgid=None, signum=0, *args, **kwargs):
    if signum != 0 and isinstance(pgid, int) and (pgid == 0 or pgid == os.getpgrp()):
        _refuse("os.killpg({!r}, {}) (a signal to the host's process group)".format(pgid, _signal_name(signum)))


def _guard_raise_signal(signum=0, *args, **kwargs):
    if signum != 0:
        _refuse('signal.raise_signal({}) (a signal to the host process)'.format(_signal_name(signum)))


def _guard_pthread_kill(thread_id=None, signum=0, *args, **kwargs):
    if signum != 0:
        _refuse('signal.pthread_kill({!r}, {}) (a signal to a thread of the host process)'.format(thread_id, _signal_name(signum)))


_GUARDS = (
    ((os, posix), 'abort', _guard_abort),
    ((os, posix), '_exit', _guard_exit),
    ((os, posix), 'kill', _guard_kill),
    ((os, posix), 'killpg', _guard_killpg),
    ((signal, _signal), 'raise_signal', _guard_raise_signal),
    ((signal, _signal), 'pthread_kill', _guard_pthread_kill),
)


def install():
    """Guards the functions in this process, recording it as the host; a second call does nothing."""
    global _host_pid
    if _host_pid is not None:
        return
    _host_pid = os.getpid()
    for modules, name, guard in _GUARDS:
        original = getattr(modules[0], name, None)
        if original is None:
            continue
        guarded = _wrap(original, guard)
        for module in modules:
            if getattr(module, name, None) is original:
                setattr(module, name, guarded)
