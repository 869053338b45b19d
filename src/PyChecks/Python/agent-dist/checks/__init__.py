"""``checks``, as the Datadog Agent ships it beside checks: ``AgentCheck`` and ``CheckException``.

Both come from Datadog's toolkit when it is installed, from pychecks otherwise (through the
``datadog_checks.base`` alias). The helpers PyChecks has always exported here stay too.
"""

from pychecks.toolkit import load_base as _load_base

_base = _load_base()
AgentCheck = _base.AgentCheck
ConfigurationError = _base.ConfigurationError
is_affirmative = _base.is_affirmative
ensure_bytes = _base.ensure_bytes
ensure_unicode = _base.ensure_unicode
to_native_string = _base.to_native_string

if getattr(_base, '__pychecks_alias__', False):
    from pychecks.errors import CheckException
else:
    from datadog_checks.base.errors import CheckException

del _base, _load_base
