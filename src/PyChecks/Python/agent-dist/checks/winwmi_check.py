"""``checks.winwmi_check``: ``WinWMICheck`` and its helpers, Windows only (they need pywin32).

With Datadog's toolkit installed they are imported from there, which on other systems fails for want of
pywin32, as it does in the Agent; without the toolkit the same error is raised here.
"""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.checks.win.wmi import MissingTagBy, WinWMICheck, WMIMetric, from_time, to_time
else:
    from pychecks.legacy.windows import require_windows

    require_windows(__name__)
