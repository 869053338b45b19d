"""``checks.network_checks``: ``NetworkCheck``, ``EventType``, ``Status`` (Datadog's toolkit's, or pychecks')."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.checks import EventType, NetworkCheck, Status
else:
    from pychecks.legacy.network_checks import EventType, NetworkCheck, Status

del _real_base
