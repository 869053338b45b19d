"""``@timeout(seconds)``: run a function in a thread and give up waiting for it after ``seconds``.

The toolkit's behaviour, kept for legacy checks: the call runs in a daemon thread; when it does not
finish in time, :class:`TimeoutException` is raised and the thread is left running. A second call
with the same function and arguments while the first is still running waits for that one instead of
starting another.
"""

import functools
import threading

_running = {}
_running_lock = threading.Lock()


class TimeoutException(Exception):
    """The decorated function did not return within its time limit."""


class _Call(threading.Thread):
    def __init__(self, target, args, kwargs):
        super(_Call, self).__init__(name='timeout-' + getattr(target, '__name__', 'call'), daemon=True)
        self._target_call = (target, args, kwargs)
        self.result = None
        self.exception = None
        self.start()

    def run(self):
        target, args, kwargs = self._target_call
        try:
            self.result = target(*args, **kwargs)
        except Exception as error:  # handed to the caller, which re-raises it
            self.exception = error


def timeout(seconds):
    """Decorator: the call raises :class:`TimeoutException` when it takes longer than ``seconds``."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            key = '{}:{}:{}:{}'.format(id(func), func.__name__, args, kwargs)
            with _running_lock:
                call = _running.get(key)
                if call is None:
                    call = _running[key] = _Call(func, args, kwargs)
            call.join(seconds)
            if call.is_alive():
                raise TimeoutException()
            with _running_lock:
                if _running.get(key) is call:
                    del _running[key]
            if call.exception is not None:
                raise call.exception
            return call.result

        return wrapper

    return decorator
