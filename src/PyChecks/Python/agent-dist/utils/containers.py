"""``utils.containers``: ``hash_mutable`` (Datadog's toolkit's when installed, pychecks' otherwise)."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.utils.containers import hash_mutable
else:
    from pychecks.legacy.containers import hash_mutable

del _real_base
