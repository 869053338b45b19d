"""The one way the host enters a check's code (import, ``__init__``, ``run``, ``get_warnings``, ``cancel``).

Around each call: the check's ``sys.stdout``/``sys.stderr`` writes on this thread are its own (:mod:`pychecks._output`),
the working directory is given back if the check changed it (:mod:`pychecks._cwd`), and in a process forked from the
check the call never returns into the host's frames: the child ends with ``os._exit`` (:mod:`pychecks._fork`).
Not part of the check API.
"""

import functools
from _thread import get_ident

from . import _cwd, _fork, _output

_owners = _output.owners


def install(capture_output, agent_config):
    """Called once by the host at start, before any check is loaded."""
    _fork.install(agent_config)
    _cwd.install()
    if capture_output:
        _output.install()


def call(function, output, *args, _get_ident=get_ident, _owners=_owners, _cwd=_cwd, _fork=_fork):
    """``function(*args)`` as code of the check whose output is ``output`` (None: output not captured)."""
    # The scheduler's path: kept to a few lookups (measured in docs/performance.md, B4).
    if output is None:
        try:
            result = function(*args)
        except BaseException as error:
            _after_raise(error)
            raise
    else:
        ident = _get_ident()
        _owners[ident] = output
        try:
            result = function(*args)
        except BaseException as error:
            _leave(output, ident)
            _after_raise(error)
            raise
        _owners.pop(ident, None)  # never raises: in a forked child nothing may keep the call from ending it
        if output.pending[0] or output.pending[1]:
            _flush(output)
    if _cwd.saved is not None:
        _cwd.restore()
    if _fork.forked:
        _fork.end_child(result)
    return result


def _after_raise(error):
    if _cwd.saved is not None:
        _cwd.restore()
    if _fork.forked:
        _fork.end_child_raised(error)


def _leave(output, ident):
    _owners.pop(ident, None)
    _flush(output)


def _flush(output):
    try:
        output.flush()
    except Exception:
        pass  # the host's log failed: the run's outcome matters more than its last partial line


def bind(function, check_name):
    """A callable without arguments that calls ``function()`` through :func:`call` for the check ``check_name``."""
    return functools.partial(call, function, _output.output_of(check_name))
