"""``get_subprocess_output``: run a command and return what it wrote, as the Agent does for checks.

The Agent runs the command from its Go side (``_util.subprocess_output``) and Datadog's toolkit wraps
it; this is the same contract in Python, with ``subprocess``:

- ``command`` is a list of arguments, or a string split on whitespace; no shell is involved;
- ``env``, when a non-empty dict, is the whole environment of the command; otherwise it inherits the host's;
- the result is ``(stdout, stderr, returncode)`` with both outputs as ``str``; a command killed by a
  signal reports ``-1``, as the Agent does;
- with ``raise_on_empty_output`` (the default), an empty stdout raises :class:`SubprocessOutputEmptyError`;
- a command that cannot be started (not found, not executable) raises no error of its own, as in the
  Agent: it reads as empty output with return code 0, which ``raise_on_empty_output`` turns into
  :class:`SubprocessOutputEmptyError`. The reason is logged at debug level on ``log``.

The call releases the GIL while the command runs (``subprocess`` waits without holding it), so other
checks keep running.
"""

import logging
import subprocess

try:
    # When the host provides the Agent's native _util module, share its exception class, so that
    # `except _util.SubprocessOutputEmptyError` and `except utils.subprocess_output.SubprocessOutputEmptyError`
    # catch the same errors. Nothing else is taken from it.
    from _util import SubprocessOutputEmptyError
except ImportError:
    class SubprocessOutputEmptyError(Exception):
        """The command wrote nothing to stdout and the caller asked for output."""

_module_log = logging.getLogger(__name__)


def _arguments(command):
    if isinstance(command, str):
        return command.split()
    if isinstance(command, bytes) or not hasattr(type(command), '__iter__'):
        raise TypeError('command must be a sequence or string')
    arguments = list(command)
    if not arguments:
        raise TypeError('invalid command: empty list')
    for argument in arguments:
        if not isinstance(argument, (str, bytes)):
            raise TypeError('command argument must be valid strings, not {}'.format(type(argument).__name__))
    return arguments


def _environment(env):
    if env is None:
        return None
    if not isinstance(env, dict):
        raise TypeError('env is not a dict')
    for key, value in env.items():
        if not isinstance(key, str):
            raise TypeError('env key is not a string')
        if not isinstance(value, str):
            raise TypeError('env value is not a string')
    # The Agent gives the command exactly this environment, unless it is empty: then the host's.
    return dict(env) if env else None


def get_subprocess_output(command, log=None, raise_on_empty_output=True, log_debug=True, env=None):
    """Run ``command`` and return ``(stdout, stderr, returncode)``; see the module's description.

    :param command: a list of arguments (recommended), or a string split on whitespace.
    :param log: the logger to write debug lines to (the check's ``self.log``); this module's by default.
    :param bool raise_on_empty_output: raise :class:`SubprocessOutputEmptyError` when stdout is empty.
    :param bool log_debug: log the command line at debug level before running it.
    :param env: the command's environment (``dict`` of ``str``), or ``None`` for the host's.
    """
    log = log or _module_log
    arguments = _arguments(command)
    if not isinstance(raise_on_empty_output, bool):
        raise TypeError('bad raise_on_empty argument: should be bool')
    environment = _environment(env)
    if log_debug:
        log.debug('Running get_subprocess_output with cmd: %s', arguments)

    try:
        completed = subprocess.run(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=environment, check=False)
    except OSError as error:
        log.debug('get_subprocess_output could not start %s: %s', arguments[0], error)
        out, err, returncode = b'', b'', 0
    else:
        out, err = completed.stdout, completed.stderr
        returncode = completed.returncode if completed.returncode >= 0 else -1

    if raise_on_empty_output and not out:
        raise SubprocessOutputEmptyError('get_subprocess_output expected output but had none.')

    out = out.decode('utf-8', 'replace')
    err = err.decode('utf-8', 'replace')
    log.debug('get_subprocess_output returned (len(out): %s ; len(err): %s ; returncode: %s)', len(out), len(err), returncode)
    return out, err, returncode
