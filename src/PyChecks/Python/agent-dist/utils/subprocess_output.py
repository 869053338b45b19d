"""``utils.subprocess_output``: ``get_subprocess_output`` and ``SubprocessOutputEmptyError``.

Datadog's toolkit's when it is installed (as in the Agent), pychecks' otherwise; both return
``(stdout, stderr, returncode)`` with ``str`` outputs.
"""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.utils.subprocess_output import SubprocessOutputEmptyError, get_subprocess_output
else:
    from pychecks.legacy.subprocess_output import SubprocessOutputEmptyError, get_subprocess_output

del _real_base
