"""Sends what checks write to ``sys.stdout`` and ``sys.stderr`` to the host's log. Installed by the host.

With ``PyChecksOptions.CaptureCheckOutput`` (the default), ``sys.stdout`` and ``sys.stderr`` are replaced by streams
that look up which check runs on the writing thread: while a check's code runs there (its import, its ``__init__``,
each run), whole lines go to the host's log under ``PyChecks.Checks.<check>.stdout`` (information) or
``PyChecks.Checks.<check>.stderr`` (warning), one call to the host per line; a partial line waits for its end, a
flush, or the end of the run. Writes from any other thread (threads a check started, the host's) go to the
process's real stream, as before: under the GIL several checks' code interleaves, and only the thread that runs a
check is known to be writing for it.
"""

import sys
from _thread import get_ident

import datadog_agent

#: Thread id -> the _CheckOutput of the check whose code runs on that thread.
owners = {}

_INFO, _WARNING = 20, 30

# A line longer than this is sent in pieces rather than held until its end.
_MAX_PENDING = 64 * 1024

_installed = None  # (the stdout replaced, the stderr replaced) once installed


class _CheckOutput(object):
    """One check's output: the loggers it goes to and the partial line of each stream."""

    __slots__ = ('loggers', 'pending')

    def __init__(self, check_name):
        self.loggers = ('datadog_checks.{}.stdout'.format(check_name), 'datadog_checks.{}.stderr'.format(check_name))
        # One list for the object's life, only its items set: the host holds it and reads it after each run.
        self.pending = ['', '']

    def write(self, which, text):
        if text.__class__ is not str:
            if not isinstance(text, str):
                raise TypeError('write() argument must be str, not {}'.format(type(text).__name__))
            text = str(text)
        if '\n' not in text:
            pending = self.pending[which] + text
            if len(pending) < _MAX_PENDING:
                self.pending[which] = pending
                return len(text)
            self.pending[which] = ''
            self._send(which, pending)
            return len(text)
        lines = (self.pending[which] + text).split('\n')
        self.pending[which] = lines.pop()
        for line in lines:
            self._send(which, line)
        return len(text)

    def flush(self):
        for which in (0, 1):
            if self.pending[which]:
                line, self.pending[which] = self.pending[which], ''
                self._send(which, line)

    def _send(self, which, line):
        line = line.rstrip('\r')
        if line.strip():
            datadog_agent.log(line, _WARNING if which else _INFO, self.loggers[which])


class _CapturingStream(object):
    """``sys.stdout`` or ``sys.stderr``: a check's writes go to its _CheckOutput, the others to the real stream."""

    def __init__(self, real, which):
        self._real = real
        self._which = which

    def write(self, text):
        owner = owners.get(get_ident())
        if owner is None:
            if self._real is None:
                return len(text)
            return self._real.write(text)
        return owner.write(self._which, text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        owner = owners.get(get_ident())
        if owner is not None:
            owner.flush()
        elif self._real is not None:
            self._real.flush()

    def isatty(self):
        return False if get_ident() in owners or self._real is None else self._real.isatty()

    def __getattr__(self, name):
        # encoding, errors, fileno, buffer, ...: the real stream's (bytes written to .buffer bypass the capture).
        if self._real is None:
            raise AttributeError(name)
        return getattr(self._real, name)


def install():
    """Replaces sys.stdout and sys.stderr by capturing streams; a second call does nothing."""
    global _installed
    if _installed is not None:
        return
    sys.stdout = _CapturingStream(sys.stdout, 0)
    sys.stderr = _CapturingStream(sys.stderr, 1)
    _installed = (sys.stdout, sys.stderr)


def output_of(check_name):
    """The object that collects ``check_name``'s output, or None when output is not captured."""
    return None if _installed is None else _CheckOutput(check_name)


def release():
    """In a forked child: the real streams again, and nothing pending from the parent's checks."""
    global _installed
    if _installed is None:
        return
    if sys.stdout is _installed[0]:
        sys.stdout = _installed[0]._real
    if sys.stderr is _installed[1]:
        sys.stderr = _installed[1]._real
    for owner in list(owners.values()):
        owner.pending[0] = owner.pending[1] = ''  # the parent's partial lines: the parent sends them
    _installed = None
