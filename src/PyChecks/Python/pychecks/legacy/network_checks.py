"""``NetworkCheck``, ``Status`` and ``EventType``: the base of the Agent 5 network checks, as Datadog's toolkit keeps it.

Agent 5 ran each instance of a ``NetworkCheck`` in a thread pool; the Agent 6+ toolkit (and so this
module) runs ``_check(instance)`` in the check's own run and turns what it returns into service checks
through the subclass's ``report_as_service_check``. Subclasses implement both methods.
"""

from ..checks import AgentCheck


class Status:
    """The outcomes ``_check`` reports."""

    DOWN = 'DOWN'
    WARNING = 'WARNING'
    CRITICAL = 'CRITICAL'
    UP = 'UP'


class EventType:
    """Kept for imports of Agent 5 checks; it has no members, as in the toolkit."""


class NetworkCheck(AgentCheck):
    """Base of a legacy network check. Deprecated in Datadog in favour of :class:`AgentCheck`; creating one warns.

    ``_check(instance)`` returns either ``(status, message)`` for one service check, or a list of
    ``(service_check_name, status, message)``; each is passed to
    ``report_as_service_check(name, status, instance, message)`` (``name`` is ``None`` for the single form).
    An exception in ``_check`` is logged with its traceback and does not fail the run, as in the toolkit.
    """

    STATUS_TO_SERVICE_CHECK = {
        Status.UP: AgentCheck.OK,
        Status.WARNING: AgentCheck.WARNING,
        Status.CRITICAL: AgentCheck.CRITICAL,
        Status.DOWN: AgentCheck.CRITICAL,
    }

    def __init__(self, *args, **kwargs):
        super(NetworkCheck, self).__init__(*args, **kwargs)
        self.warning('NetworkCheck is deprecated. Please inherit from AgentCheck instead')

    def check(self, instance):
        """Run :meth:`_check` and report what it returns."""
        try:
            statuses = self._check(instance)
        except Exception:
            self.log.exception("Failed to run instance '%s'.", instance.get('name', ''))
            return
        if isinstance(statuses, tuple):
            status, message = statuses
            self.report_as_service_check(None, status, instance, message)
        elif isinstance(statuses, list):
            for name, status, message in statuses:
                self.report_as_service_check(name, status, instance, message)

    def _check(self, instance):
        """Probe the instance; return ``(status, message)`` or a list of ``(name, status, message)``."""
        raise NotImplementedError

    def report_as_service_check(self, sc_name, status, instance, msg=None):
        """Submit one outcome of :meth:`_check`, usually with ``self.service_check`` and :attr:`STATUS_TO_SERVICE_CHECK`."""
        raise NotImplementedError
