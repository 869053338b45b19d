"""``config``, as the Datadog Agent ships it beside checks: ``_is_affirmative`` and ``_get_py_loglevel``."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.config import _is_affirmative
    from datadog_checks.base.log import _get_py_loglevel
else:
    from pychecks.log import _get_py_loglevel
    from pychecks.utils import is_affirmative as _is_affirmative

del _real_base
