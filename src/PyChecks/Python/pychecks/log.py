"""Forwarding of Python ``logging`` to the host.

Every record that reaches the root logger is handed to the host through
``datadog_agent.log(message, level, logger_name)``; the host maps the level to
its own and uses the logger name as the category. Filtering is the host's job,
so the root logger lets everything through.

Datadog's toolkit (``datadog_checks.base.log.init_logging``) puts its own
forwarding handler on the root logger when it is imported. Two forwarders would
send every record twice, and the toolkit's drops the logger name, so its
handler class is made one that compares equal to PyChecks' handler:
``Logger.addHandler`` then sees it is already there and adds nothing. The root
level the toolkit sets from ``datadog_agent.get_config('log_level')`` stays, as
in the Agent; that key follows the level the host enables for checks.
"""

import logging
import sys

import datadog_agent

#: The toolkit module whose handler class is replaced.
_TOOLKIT_LOG_MODULE = 'datadog_checks.base.log'

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


class _ToolkitAgentLogHandler(AgentLogHandler):
    """Stands for the toolkit's ``AgentLogHandler``: equal to PyChecks' handler, so never added beside it."""

    def __eq__(self, other):
        return isinstance(other, AgentLogHandler)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = AgentLogHandler.__hash__


class _ToolkitLoader(object):
    """Wraps the loader of the toolkit's log module: runs it, then swaps its handler class."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        if isinstance(getattr(module, 'AgentLogHandler', None), type):
            module.AgentLogHandler = _ToolkitAgentLogHandler

    def __getattr__(self, name):
        # get_data, get_filename, is_package, …: whatever else the real loader offers.
        return getattr(self._loader, name)


class _ToolkitLogFinder(object):
    """A ``sys.meta_path`` finder that only wraps the loader of ``datadog_checks.base.log``."""

    def find_spec(self, fullname, path, target=None):
        if fullname != _TOOLKIT_LOG_MODULE:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, 'find_spec', None)
            if finder is self or isinstance(finder, _ToolkitLogFinder) or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
                    spec.loader = _ToolkitLoader(spec.loader)
                return spec
        return None


def _adopt_toolkit_logging():
    """Makes the toolkit's log handler PyChecks' own, whether its module is imported already or later."""
    module = sys.modules.get(_TOOLKIT_LOG_MODULE)
    if module is not None and isinstance(getattr(module, 'AgentLogHandler', None), type):
        module.AgentLogHandler = _ToolkitAgentLogHandler
    root = logging.getLogger()
    for handler in list(root.handlers):
        # A toolkit handler added before this module could step in forwards a second time.
        if type(handler).__module__ == _TOOLKIT_LOG_MODULE and type(handler).__name__ == 'AgentLogHandler':
            root.removeHandler(handler)
    if not any(isinstance(finder, _ToolkitLogFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _ToolkitLogFinder())


def init_logging(level=TRACE_LEVEL):
    """Route Python logging to the host. Safe to call more than once.

    Attaches one :class:`AgentLogHandler` to the root logger, sets the root
    level to ``level`` (by default everything from ``TRACE`` up, leaving the
    filtering to the host), captures ``warnings.warn`` into logging so that
    library warnings reach the host's log instead of the process's stderr, and
    keeps Datadog's toolkit from adding a second forwarder.
    """
    root = logging.getLogger()
    if not any(isinstance(h, AgentLogHandler) for h in root.handlers):
        root.addHandler(AgentLogHandler())
    root.setLevel(level)
    logging.captureWarnings(True)
    _adopt_toolkit_logging()


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
