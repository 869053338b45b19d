"""The Agent's Windows-only legacy modules (``checks.libs.wmi.sampler``, ``checks.winwmi_check``) on other systems."""

import sys


def require_windows(module_name):
    """Raise what the Agent raises importing ``module_name`` outside Windows: pywin32's ``win32pdh`` is missing.

    On Windows without Datadog's toolkit the error says that the toolkit is needed instead: the WMI
    sampler is the toolkit's, and pychecks has no version of its own.
    """
    if sys.platform == 'win32':
        raise ModuleNotFoundError(
            "{} needs Datadog's toolkit: install datadog-checks-base (and pywin32)".format(module_name),
            name='datadog_checks.base')
    raise ModuleNotFoundError(
        "No module named 'win32pdh' ({} works on Windows only: it needs pywin32)".format(module_name), name='win32pdh')
