"""Exceptions that checks raise to report a problem to the host."""


class ConfigurationError(Exception):
    """The check's ``init_config`` or instance configuration is invalid.

    Raise it from ``__init__`` or ``check``; the host reports its message as the
    check's error, the same way as any other exception.
    """


class CheckInterrupt(BaseException):
    """Raised in a check's code when the host interrupts its run: the run timed out or was cancelled.

    It derives from ``BaseException`` so that ``except Exception`` blocks in a check do not swallow it;
    ``finally`` blocks and context managers still run.
    """


def _deliver_pending():
    """Runs a few bytecodes: an exception the host scheduled for this thread (``PyThreadState_SetAsyncExc``) is raised here.

    The host's, to withdraw an interrupt that a run returned before: raising it is what clears CPython's signal for it.
    """
    for _ in (0, 1):
        pass


class ProcessExitRefused(BaseException):
    """Raised in a check that calls ``os.abort()``, ``os._exit()``, or sends a signal to the host process.

    The host runs other checks in the same process, so a check may not end it; the call fails the run
    instead, with a message naming it. A child process (``os.fork()``, ``multiprocessing``) is not the host:
    there these calls work as usual. Like :class:`CheckInterrupt`, it derives from ``BaseException`` so that
    ``except Exception`` does not swallow it.
    """


class CheckException(Exception):
    """Generic base class for errors a check raises (Datadog's ``CheckException``, imported by legacy checks from ``checks``)."""
