"""``utils.timeout``: ``TimeoutException``, ``timeout`` (Datadog's toolkit's when installed, pychecks' otherwise)."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.utils.timeout import TimeoutException, timeout
else:
    from pychecks.legacy.timeout import TimeoutException, timeout

del _real_base
