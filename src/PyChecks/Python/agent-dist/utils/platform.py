"""``utils.platform``: ``Platform`` (Datadog's toolkit's when installed, pychecks' otherwise)."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.utils.platform import Platform
else:
    from pychecks.legacy.platform import Platform

del _real_base
