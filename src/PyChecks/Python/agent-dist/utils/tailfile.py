"""``utils.tailfile``: ``TailFile`` (Datadog's toolkit's when installed, pychecks' otherwise)."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.utils.tailfile import TailFile
else:
    from pychecks.legacy.tailfile import TailFile

del _real_base
