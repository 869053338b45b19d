"""Forwarding of Python ``logging`` to the host.

Every record that reaches the root logger is handed to the host through
``datadog_agent.log(message, level, logger_name)``; the host maps the level to
its own and uses the logger name as the category. Filtering is the host's job,
so the root logger lets everything through.
"""

import logging

import datadog_agent

#: Level of ``trace()`` messages, below ``DEBUG`` (Datadog's value).
TRACE_LEVEL = 7

logging.addLevelName(TRACE_LEVEL, 'TRACE')

# The level names of the Agent's configuration (``log_level``), as Datadog's toolkit maps them.
_LEVELS_BY_NAME = {
    'CRIT': logging.CRITICAL, 'CRITICAL': logging.CRITICAL, 'ERR': logging.ERROR, 'ERROR': logging.ERROR,
    'WARN': logging.WARNING, 'WARNING': logging.WARNING, 'INFO': logging.INFO, 'DEBUG': logging.DEBUG,
    'TRACE': TRACE_LEVEL,
}


def _get_py_loglevel(level):
    """The ``logging`` level for an Agent level name (``'debug'``, ``'warn'``, ...); ``INFO`` for anything else.

    The name comes from a configuration file, so anything that is not a known name (``None`` included) is ``INFO``.
    """
    try:
        level = level.upper()
    except AttributeError:
        level = ''
    return _LEVELS_BY_NAME.get(level, logging.INFO)


class AgentLogHandler(logging.Handler):
    """A handler that sends each formatted record to the host.

    It never raises: a failure to deliver a log line must not break the check
    that wrote it, so errors are dropped silently.
    """

    def emit(self, record):
        """Format ``record`` and pass it to ``datadog_agent.log``."""
        try:
            datadog_agent.log(self.format(record), record.levelno, record.name)
        except Exception:
            self.handleError(record)

    def handleError(self, record):
        """Drop the error: writing to stderr from an embedded interpreter helps nobody."""


def init_logging(level=TRACE_LEVEL):
    """Route Python logging to the host. Safe to call more than once.

    Attaches one :class:`AgentLogHandler` to the root logger, sets the root
    level to ``level`` (by default everything from ``TRACE`` up, leaving the
    filtering to the host) and captures ``warnings.warn`` into logging so that
    library warnings reach the host's log instead of the process's stderr.
    """
    root = logging.getLogger()
    if not any(isinstance(h, AgentLogHandler) for h in root.handlers):
        root.addHandler(AgentLogHandler())
    root.setLevel(level)
    logging.captureWarnings(True)


class CheckLoggingAdapter(logging.LoggerAdapter):
    """The ``log`` attribute of a check: a logger adapter that also has ``trace()``.

    Records carry the check's id in the ``_check_id`` attribute (``'unknown'``
    until the host has assigned it), like Datadog's adapter.
    """

    def __init__(self, logger, check):
        super().__init__(logger, {'_check_id': check.check_id or 'unknown'})
        self.check = check
        self._check_id = check.check_id

    def process(self, msg, kwargs):
        """Add the check id to the record's extra attributes, keeping the caller's."""
        # The host sets check_id after construction; pick it up once it appears.
        if not self._check_id:
            self._check_id = self.check.check_id
            self.extra = {'_check_id': self._check_id or 'unknown'}
        extra = kwargs.get('extra')
        if extra is None:
            kwargs['extra'] = self.extra
        else:
            merged = dict(self.extra)
            merged.update(extra)
            kwargs['extra'] = merged
        return msg, kwargs

    def trace(self, msg, *args, **kwargs):
        """Log ``msg % args`` at the ``TRACE`` level (7)."""
        self.log(TRACE_LEVEL, msg, *args, **kwargs)
