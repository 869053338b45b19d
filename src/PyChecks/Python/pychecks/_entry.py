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


def run_hooks():
    """What the host needs to make :func:`call`'s checks itself around ``AgentCheck.run``, the entry made on every run.

    A tuple: the thread-to-output map, the globals of :mod:`pychecks._cwd` (read for ``saved``), the output flush and
    the working directory's restore (the rare paths). ``AgentCheck.run`` ends a forked child itself.
    """
    return (_owners, vars(_cwd), _flush, _cwd.restore)


def runs_directly(check):
    """Whether the host may call ``check.run()`` without :func:`call`: it is ``pychecks.AgentCheck.run``, unreplaced."""
    from .checks import AgentCheck

    # Not through check.__dict__: reading it gives the instance a dict of its own, which on 3.12 turns off the
    # interpreter's specialized attribute access for every method call the check makes.
    run = getattr(check, 'run', None)
    return (
        type(check).run is AgentCheck.run
        and getattr(run, '__func__', None) is AgentCheck.run
        and getattr(run, '__self__', None) is check
    )


def output_of(check_name):
    """The object that collects ``check_name``'s output, or None when output is not captured."""
    return _output.output_of(check_name)


def plain_get_warnings():
    """The ``get_warnings`` functions that return ``self.warnings`` and empty it: AgentCheck's, and the toolkit's."""
    import sys

    found = []
    for name in ('pychecks.checks', 'datadog_checks.base.checks.base'):
        module = sys.modules.get(name)
        base = getattr(module, 'AgentCheck', None)
        function = vars(base).get('get_warnings') if isinstance(base, type) else None
        if function is not None and function not in found:
            found.append(function)
    return tuple(found)


def bind(function, check_name):
    """A callable without arguments that calls ``function()`` through :func:`call` for the check ``check_name``."""
    return functools.partial(call, function, _output.output_of(check_name))
