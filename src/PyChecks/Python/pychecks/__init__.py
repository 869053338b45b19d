"""pychecks: the Python side of PyChecks.

Checks subclass :class:`AgentCheck` and submit what they collect through it;
the host (a .NET process embedding CPython) schedules them and receives the
data. The API is compatible with ``datadog_checks.base.AgentCheck`` for what
custom checks use, and :func:`pychecks.compat.install_aliases` lets checks
that import it from ``datadog_checks.base`` run unmodified.
"""

from .checks import AgentCheck
from .errors import CheckInterrupt, ConfigurationError, ProcessExitRefused
from .utils import is_affirmative

__version__ = "0.1.0"

__all__ = ['AgentCheck', 'CheckInterrupt', 'ConfigurationError', 'ProcessExitRefused', 'is_affirmative', '__version__']
