"""``AgentCheck``, the base class of every check, compatible with Datadog's."""

import copy
import functools
import json
import logging
import re
import traceback
import unicodedata
from collections import deque

import aggregator
import datadog_agent

from . import _fork
from .log import CheckLoggingAdapter
from .reports import AgentReportsMixin
from .utils import ensure_bytes, is_affirmative, to_native_string


def _no_fast_path(*args):
    return False


# Bound once: the submission methods run for every sample. _submit_metric_fast checks the common case
# (str name, float or int value, list, tuple or None tags) in the host and submits it, or returns False.
_aggregator_submit_metric = aggregator.submit_metric
_aggregator_submit_metric_fast = getattr(aggregator, '_submit_metric_fast', _no_fast_path)
_NO_TAGS = ()
_GAUGE, _COUNT, _MONOTONIC_COUNT, _RATE, _HISTOGRAM, _HISTORATE, _COUNTER = (
    aggregator.GAUGE, aggregator.COUNT, aggregator.MONOTONIC_COUNT, aggregator.RATE, aggregator.HISTOGRAM,
    aggregator.HISTORATE, aggregator.COUNTER)


class _SubmitMethods(object):
    """``gauge``, ``count``, ``monotonic_count``, ``rate``, ``histogram`` and ``historate`` in Python.

    ``AgentCheck`` gets them from ``aggregator._AgentCheckBase`` instead when the host provides it: the same methods
    written in C, whose common case (a ``str`` name, a ``float`` or ``int`` value, a list, tuple or no tags, no
    hostname, device or namespace) costs one call into the host, and which call these for every other case. A
    subclass's own ``gauge`` or a mock still wins: attribute lookup finds them first. In a process forked from the
    host, these replace the C ones (see :mod:`pychecks._forked_builtins`).
    """

    def gauge(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        """Submit a gauge: the last value in the flush interval wins.

        - **name** (*str*): the metric name, prefixed with ``__NAMESPACE__`` unless ``raw``.
        - **value** (*float*): the value; ``None`` is ignored, non-numbers raise ``ValueError``.
        - **tags** (*list of str*): tags of the sample.
        - **hostname** (*str*): the host the sample is about; the default is the host's.
        - **device_name** (*str*): deprecated, adds a ``device:<device_name>`` tag.
        - **raw** (*bool*): do not prefix the name with ``__NAMESPACE__``.
        """
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _GAUGE, name, value, tags, False)):
            self._submit_metric(_GAUGE, name, value, tags, hostname, device_name, raw)

    def count(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        """Submit a raw count (summed over the flush interval). Arguments as :meth:`gauge`."""
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _COUNT, name, value, tags, False)):
            self._submit_metric(_COUNT, name, value, tags, hostname, device_name, raw)

    def monotonic_count(self, name, value, tags=None, hostname=None, device_name=None, raw=False,
                        flush_first_value=False):
        """Submit an ever-increasing counter; the delta between samples is reported.

        Arguments as :meth:`gauge`, plus ``flush_first_value``: report the first
        sample's value as a delta instead of only using it as the baseline.
        """
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _MONOTONIC_COUNT, name, value, tags, flush_first_value)):
            self._submit_metric(_MONOTONIC_COUNT, name, value, tags, hostname, device_name, raw, flush_first_value)

    def rate(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        """Submit a point whose per-second rate is computed between runs. Arguments as :meth:`gauge`."""
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _RATE, name, value, tags, False)):
            self._submit_metric(_RATE, name, value, tags, hostname, device_name, raw)

    def histogram(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        """Submit a histogram sample (aggregated into avg, max, percentiles...). Arguments as :meth:`gauge`."""
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _HISTOGRAM, name, value, tags, False)):
            self._submit_metric(_HISTOGRAM, name, value, tags, hostname, device_name, raw)

    def historate(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        """Submit a histogram of rates. Arguments as :meth:`gauge`."""
        if not (hostname is None and not device_name and (raw or not self.__NAMESPACE__)
                and _aggregator_submit_metric_fast(self, self.check_id, _HISTORATE, name, value, tags, False)):
            self._submit_metric(_HISTORATE, name, value, tags, hostname, device_name, raw)


_SUBMIT_METHODS = ('gauge', 'count', 'monotonic_count', 'rate', 'histogram', 'historate')
_AgentCheckBase = getattr(aggregator, '_AgentCheckBase', None)
_NAMESPACE = ''
if _AgentCheckBase is not None:
    _AgentCheckBase._python_methods = {name: vars(_SubmitMethods)[name] for name in _SUBMIT_METHODS}
    _SubmitBase = _AgentCheckBase
    _namespace_slot = vars(_AgentCheckBase)['__pychecks_namespace__']

    class _Namespace(object):
        """``AgentCheck.__NAMESPACE__``: ``''`` on the class, the instance's own value (``''`` until set) on an instance.

        The value lives in a slot of the instance that the host's submission methods read without an attribute
        lookup. Being a data descriptor, neither the instance's ``__dict__`` nor ``__getattr__`` can shadow it; a
        subclass that sets ``__NAMESPACE__`` on its class does, and its instances keep the ordinary lookup.
        """

        def __get__(self, obj, cls=None):
            if obj is None:
                return ''
            try:
                return _namespace_slot.__get__(obj, cls)
            except AttributeError:
                return ''

        def __set__(self, obj, value):
            _namespace_slot.__set__(obj, value)

        def __delete__(self, obj):
            try:
                _namespace_slot.__delete__(obj)
            except AttributeError:
                raise AttributeError('__NAMESPACE__')

    _NAMESPACE = _Namespace()

    def _namespace_in_slot(cls):
        """Whether ``obj.__NAMESPACE__`` of an instance of ``cls`` is the value in its slot (asked by the host per type)."""
        if getattr(cls, '__getattribute__', None) is not object.__getattribute__:
            return False
        for klass in getattr(cls, '__mro__', ()):
            namespace = vars(klass)
            if '__NAMESPACE__' in namespace:
                return namespace['__NAMESPACE__'] is _NAMESPACE
        return False

    _AgentCheckBase._namespace_in_slot = staticmethod(_namespace_in_slot)
else:
    _SubmitBase = _SubmitMethods


class AgentCheck(_SubmitBase, AgentReportsMixin):
    """Base class of a check: subclass it and implement :meth:`check`.

    The host imports the check's module, instantiates the most derived subclass
    with ``(name, init_config, instances)``, sets :attr:`check_id`, then calls
    :meth:`run` at every interval. Inside :meth:`check`, submit data with
    :meth:`gauge`, :meth:`count`, :meth:`monotonic_count`, :meth:`rate`,
    :meth:`histogram`, :meth:`historate`, :meth:`service_check` and
    :meth:`event`; report non-fatal problems with :meth:`warning`.

    The surface is that of ``datadog_checks.base.AgentCheck`` for what custom
    checks use, so checks written for the Datadog Agent run unmodified.
    """

    #: When set, prefixes metric and service check names (``'<ns>.<name>'``)
    #: unless ``raw=True``, and is the default ``source_type_name`` of events.
    #: ``''`` by default; set it on a subclass or on the instance.
    __NAMESPACE__ = _NAMESPACE

    #: Service check statuses.
    OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3

    #: Optional mapping of metadata name to ``transform(value, options)``,
    #: returning a ``str`` or a ``{name: value}`` mapping; see :meth:`set_metadata`.
    METADATA_TRANSFORMERS = None

    # Datadog's patterns, on bytes as there, for normalize() and friends.
    FIRST_CAP_RE = re.compile(br'(.)([A-Z][a-z]+)')
    ALL_CAP_RE = re.compile(br'([a-z0-9])([A-Z])')
    METRIC_REPLACEMENT = re.compile(br'([^a-zA-Z0-9_.]+)|(^[^a-zA-Z]+)')
    TAG_REPLACEMENT = re.compile(br'[,\+\*\-/()\[\]{}\s]')
    MULTIPLE_UNDERSCORE_CLEANUP = re.compile(br'__+')
    DOT_UNDERSCORE_CLEANUP = re.compile(br'_*\._*')

    # Class-level default so that a subclass whose __init__ forgets super() still
    # has an id the host can overwrite.
    check_id = ''

    def __init__(self, *args, **kwargs):
        """Create the check.

        Accepted forms: ``(name, init_config, instances)``, the legacy
        ``(name, init_config, agentConfig, instances)``, and the keywords
        ``name``, ``init_config``, ``instances`` and ``agentConfig``. As in
        Datadog, a third positional argument is taken as ``instances`` only when
        it is a list or tuple, no fourth one is given and ``instances`` is not a
        keyword; otherwise it is ``agentConfig``.
        """
        name = kwargs.get('name', '')
        init_config = kwargs.get('init_config')
        agent_config = kwargs.get('agentConfig')
        instances = kwargs.get('instances')

        if len(args) > 0:
            name = args[0]
        if len(args) > 1:
            init_config = args[1]
        if len(args) > 2:
            if len(args) > 3 or not isinstance(args[2], (list, tuple)) or 'instances' in kwargs:
                agent_config = args[2]
                if len(args) > 3:
                    instances = args[3]
            else:
                instances = args[2]

        self.check_id = ''
        self.name = name

        # Every submission reads __NAMESPACE__. CPython up to 3.11 only specializes reading an attribute
        # the instance holds: copy the class's value into the instance (one a subclass set first stays);
        # AgentCheck's own goes to the instance's slot. Not through self.__dict__, whose use would turn off
        # that specialization for every attribute.
        self.__NAMESPACE__ = self.__NAMESPACE__
        self.init_config = init_config if init_config is not None else {}
        self.agentConfig = agent_config if agent_config is not None else {}
        if instances is None:
            instances = []
        elif isinstance(instances, dict):
            # A lone instance where a list was expected: accept it rather than iterate its keys.
            instances = [instances]
        self.instances = list(instances)
        self.instance = self.instances[0] if self.instances else None
        self.warnings = []

        # Deprecated in Datadog in favour of datadog_agent.get_hostname(), still used.
        self.hostname = datadog_agent.get_hostname()

        self.log = CheckLoggingAdapter(logging.getLogger('datadog_checks.{}'.format(self.name)), self)

        # Callables run once, in order, before the first successful check();
        # a failing one is retried at the next run (Datadog's contract).
        self.check_initializations = deque()

    # ------------------------------------------------------------------ metrics

    def _format_namespace(self, name, raw=False):
        name = to_native_string(name)
        if not raw and self.__NAMESPACE__:
            return '{}.{}'.format(self.__NAMESPACE__, name)
        return name

    def _normalize_tags_type(self, tags, device_name=None, metric_name=None):
        """Return a new list of tags: ``device:<device_name>`` first when given,
        bytes decoded as UTF-8, ``None`` dropped.

        Tags that are neither ``str`` nor ``bytes`` are kept as they are: the host
        validates them (and drops non-strings, as Datadog does). A single ``str``
        or ``bytes`` is taken as one tag rather than as a sequence of characters.
        """
        normalized = []
        if device_name:
            try:
                normalized.append('device:{}'.format(to_native_string(device_name)))
            except UnicodeError:
                self.log.warning('Encoding error with device name `%r` for metric `%r`, ignoring tag',
                                 device_name, metric_name)
        if tags is None:
            return normalized
        if isinstance(tags, (str, bytes)):
            tags = (tags,)
        for tag in tags:
            if tag.__class__ is str:
                normalized.append(tag)
            elif tag is None:
                continue
            elif isinstance(tag, bytes):
                try:
                    normalized.append(tag.decode('utf-8'))
                except UnicodeError:
                    self.log.warning('Encoding error with tag `%r` for metric `%r`, ignoring tag', tag, metric_name)
            else:
                normalized.append(tag)
        return normalized

    def _submit_metric(self, mtype, name, value, tags=None, hostname=None, device_name=None, raw=False,
                       flush_first_value=False):
        # Value conversion: a sample of None is ignored (Datadog). Anything else is
        # converted with float(); when that fails, ValueError is raised with
        # Datadog's message, as Datadog does under its test stub, rather than
        # logging a warning and dropping the sample as it does inside the Agent:
        # a bad value is a bug in the check and the run's error says so.
        #
        # A list or tuple of tags goes to the host as it is, and the host applies
        # _normalize_tags_type's rules (bytes decoded as UTF-8, an undecodable tag
        # logged and dropped, None and other non-strings dropped). gauge() and its
        # siblings first offer the sample to aggregator._submit_metric_fast, which
        # takes the commonest case (a str name, a float or int, a list, tuple or
        # None for tags; no hostname, device_name or namespace prefix), for which
        # this method would convert nothing.
        if value is None:
            return
        if name.__class__ is not str or (self.__NAMESPACE__ and not raw):
            name = self._format_namespace(name, raw)
        if value.__class__ is not float:
            try:
                value = float(value)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(
                    'Metric: {} has non float value: {}. Only float values can be submitted as metrics.'.format(
                        repr(name), repr(value)))
        tags_class = tags.__class__
        if device_name or (tags_class is not list and tags_class is not tuple):
            tags = _NO_TAGS if tags is None and not device_name else self._normalize_tags_type(tags, device_name, name)
        if hostname is None:
            hostname = ''
        elif hostname.__class__ is not str:
            hostname = to_native_string(hostname)
        _aggregator_submit_metric(self, self.check_id, mtype, name, value, tags, hostname, flush_first_value)

    def increment(self, name, value=1, tags=None, hostname=None, device_name=None, raw=False):
        """Deprecated (Datadog): increment a counter. Use :meth:`count` or :meth:`gauge`."""
        self._submit_metric(_COUNTER, name, value, tags, hostname, device_name, raw)

    def decrement(self, name, value=-1, tags=None, hostname=None, device_name=None, raw=False):
        """Deprecated (Datadog): decrement a counter. Use :meth:`count` or :meth:`gauge`."""
        self._submit_metric(_COUNTER, name, value, tags, hostname, device_name, raw)

    def submit_histogram_bucket(self, name, value, lower_bound, upper_bound, monotonic, hostname, tags,
                                raw=False, flush_first_value=False):
        """Submit one bucket of a histogram computed by the monitored system.

        ``value`` is the bucket's count and must be an integer; ``None`` is ignored.
        ``flush_first_value`` is accepted for Datadog compatibility and not forwarded.
        """
        if value is None:
            return
        try:
            value = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                'Histogram: {} has non integer value: {}. Only integer are valid bucket values (count).'.format(
                    repr(name), repr(value)))
        tags = self._normalize_tags_type(tags, metric_name=name)
        hostname = '' if hostname is None else to_native_string(hostname)
        aggregator.submit_histogram_bucket(self, self.check_id, self._format_namespace(name, raw), value,
                                           lower_bound, upper_bound, monotonic, hostname, tags)

    # ------------------------------------------------------- service checks, events

    def service_check(self, name, status, tags=None, hostname=None, message=None, raw=False):
        """Submit the status of a service.

        - **name** (*str*): the service check name, prefixed with ``__NAMESPACE__`` unless ``raw``.
        - **status** (*int*): ``OK``, ``WARNING``, ``CRITICAL`` or ``UNKNOWN``.
        - **tags** (*list of str*): tags of the service check.
        - **hostname** (*str*): the host the status is about; the default is the host's.
        - **message** (*str*): why the status is what it is; a non-string (an
          exception, say) is converted with ``str()``.
        - **raw** (*bool*): do not prefix the name with ``__NAMESPACE__``.
        """
        tags = self._normalize_tags_type(tags, metric_name=name)
        hostname = '' if hostname is None else to_native_string(hostname)
        if message is None:
            message = ''
        elif isinstance(message, bytes):
            message = message.decode('utf-8', 'replace')
        elif not isinstance(message, str):
            message = str(message)
        aggregator.submit_service_check(self, self.check_id, self._format_namespace(name, raw), status, tags,
                                        hostname, message)

    def event(self, event):
        """Submit an event, a dict with Datadog's keys.

        Keys: ``timestamp`` (int, epoch seconds), ``event_type``, ``msg_title``,
        ``msg_text``, ``aggregation_key``, ``alert_type`` (``error``, ``warning``,
        ``success`` or ``info``), ``source_type_name``, ``host``, ``tags`` (list of
        str), ``priority`` (``normal`` or ``low``). The dict is copied, never
        modified. Bytes values are decoded as UTF-8; an event with an undecodable
        value is dropped with a logged warning.
        """
        event = dict(event)
        for key, value in event.items():
            if isinstance(value, bytes):
                try:
                    event[key] = value.decode('utf-8')
                except UnicodeError:
                    self.log.warning('Encoding error with field `%s`, cannot submit event', key)
                    return
        if event.get('tags'):
            event['tags'] = self._normalize_tags_type(event['tags'])
        if event.get('timestamp'):
            event['timestamp'] = int(event['timestamp'])
        if self.__NAMESPACE__:
            event.setdefault('source_type_name', self.__NAMESPACE__)
        aggregator.submit_event(self, self.check_id, event)

    # ---------------------------------------------------------------- warnings

    def warning(self, warning_message, *args, **kwargs):
        """Log a warning and keep it for the check's status.

        Formats like logging: ``warning_message % args`` when ``args`` are given.
        ``kwargs`` are accepted for signature compatibility with ``Logger.warning``
        and ignored.
        """
        if isinstance(warning_message, bytes):
            warning_message = warning_message.decode('utf-8', 'replace')
        elif not isinstance(warning_message, str):
            warning_message = str(warning_message)
        if args:
            warning_message = warning_message % args
        self.log.warning(warning_message)
        self.warnings.append(warning_message)

    def get_warnings(self):
        """Return the warnings collected since the last call, and forget them."""
        warnings = self.warnings
        self.warnings = []
        return warnings

    # ---------------------------------------------------------------- metadata

    def set_metadata(self, name, value, **options):
        """Record metadata about the monitored system (its version, say) for the host.

        When :attr:`METADATA_TRANSFORMERS` maps ``name`` to a function, it is
        called as ``transform(value, options)`` and its result is sent instead: a
        string for ``name``, or a mapping of names to values. Values are sent as
        strings.
        """
        transformers = self.METADATA_TRANSFORMERS
        transform = transformers.get(name) if transformers else None
        if transform is not None:
            value = transform(value, options)
            if isinstance(value, dict):
                for key, item in value.items():
                    self._submit_metadata(key, item)
                return
        self._submit_metadata(name, value)

    def _submit_metadata(self, name, value):
        value = value.decode('utf-8', 'replace') if isinstance(value, bytes) else str(value)
        datadog_agent.set_check_metadata(self.check_id, to_native_string(name), value)

    def service_metadata(self, meta_name, value):
        """Obsolete Datadog API, kept so that old checks still run; does nothing."""

    @staticmethod
    def is_metadata_collection_enabled():
        """Whether the host's ``enable_metadata_collection`` setting is on."""
        return is_affirmative(datadog_agent.get_config('enable_metadata_collection'))

    @classmethod
    def metadata_entrypoint(cls, method):
        """Decorator: skip the method when metadata collection is disabled on the host."""

        @functools.wraps(method)
        def entrypoint(self, *args, **kwargs):
            if not self.is_metadata_collection_enabled():
                return None
            return method(self, *args, **kwargs)

        return entrypoint

    # ------------------------------------------------------------ persistent cache

    def _persistent_cache_id(self, key):
        return '{}_{}'.format(self.check_id, key)

    def read_persistent_cache(self, key):
        """Return the value stored by :meth:`write_persistent_cache` for ``key``, or ``''``."""
        return datadog_agent.read_persistent_cache(self._persistent_cache_id(key))

    def write_persistent_cache(self, key, value):
        """Store the string ``value`` under ``key`` for this check instance, across restarts."""
        datadog_agent.write_persistent_cache(self._persistent_cache_id(key), value)

    # ------------------------------------------------------------- name helpers

    def convert_to_underscore_separated(self, name):
        """Convert CamelCase to snake_case and replace characters not allowed in metric names.

        Returns ``bytes``, like Datadog's method, so that code written for it
        behaves the same; the submission methods accept bytes names.
        """
        name = ensure_bytes(name)
        name = self.FIRST_CAP_RE.sub(br'\1_\2', name)
        name = self.ALL_CAP_RE.sub(br'\1_\2', name).lower()
        name = self.METRIC_REPLACEMENT.sub(b'_', name)
        return self.DOT_UNDERSCORE_CLEANUP.sub(b'.', name).strip(b'_')

    def normalize(self, metric, prefix=None, fix_case=False):
        """Turn ``metric`` into a well-formed metric name, as Datadog does.

        Characters outside ``[a-zA-Z0-9_.]`` and leading non-letters become
        ``_``; runs of ``_`` collapse, ``_`` around dots and at the ends go.
        Non-ASCII text is first reduced to ASCII (accents dropped). With
        ``fix_case``, CamelCase becomes snake_case (in ``prefix`` too). A
        ``prefix`` is joined with a dot. Returns a ``str``.
        """
        if isinstance(metric, str):
            metric = unicodedata.normalize('NFKD', metric).encode('ascii', 'ignore')
        if fix_case:
            name = self.convert_to_underscore_separated(metric)
            if prefix is not None:
                prefix = self.convert_to_underscore_separated(prefix)
        else:
            name = self.METRIC_REPLACEMENT.sub(b'_', metric)
            name = self.DOT_UNDERSCORE_CLEANUP.sub(b'.', name).strip(b'_')
        name = self.MULTIPLE_UNDERSCORE_CLEANUP.sub(b'_', name)
        if prefix is not None:
            name = ensure_bytes(prefix) + b'.' + name
        return to_native_string(name)

    def normalize_tag(self, tag):
        """Replace characters Datadog used to clean from tags (``,+*-/()[]{}`` and spaces) with ``_``."""
        tag = ensure_bytes(tag)
        tag = self.TAG_REPLACEMENT.sub(b'_', tag)
        tag = self.MULTIPLE_UNDERSCORE_CLEANUP.sub(b'_', tag)
        tag = self.DOT_UNDERSCORE_CLEANUP.sub(b'.', tag).strip(b'_')
        return to_native_string(tag)

    # ------------------------------------------------------------------ running

    def check(self, instance):
        """Collect and submit data for ``instance`` (a copy of the configured instance).

        Override this. Raising an exception marks the run as failed with the
        exception's message and traceback.
        """
        raise NotImplementedError

    def cancel(self):
        """Called when the host unschedules the check, possibly while it runs.

        Override to release resources; it must be thread-safe and not block.
        """

    def run(self):
        """Run the check once; called by the host.

        Runs pending :attr:`check_initializations`, then :meth:`check` with a
        deep copy of the first instance (``{}`` if none). Returns ``''`` on
        success, or a JSON list ``[{"message": ..., "traceback": ...}]`` when an
        ``Exception`` escapes. Other ``BaseException`` (``SystemExit``,
        ``KeyboardInterrupt``) propagate to the host.

        In a process forked from the check, it ends that process instead of
        returning (see :mod:`pychecks._fork`): the host calls it directly.
        """
        try:
            try:
                try:
                    initializations = self.check_initializations
                except AttributeError:  # a subclass whose __init__ skipped ours
                    initializations = None
                while initializations:
                    initialization = initializations.popleft()
                    try:
                        initialization()
                    except Exception:
                        initializations.appendleft(initialization)
                        raise
                instances = self.instances
                instance = instances[0] if instances else {}
                # An empty dict, the commonest instance of a simple check, is copied without a call.
                self.check({} if type(instance) is dict and not instance else _copy_config(instance))
                result = ''
            except Exception as e:
                result = json.dumps([{'message': _describe(e), 'traceback': traceback.format_exc()}])
        except BaseException as error:
            if _fork.forked:
                _fork.end_child_raised(error)
            raise
        if _fork.forked:
            _fork.end_child(result)
        return result


# Immutable values a configuration holds: deepcopy returns them as they are.
_ATOMIC = frozenset((str, int, float, bool, type(None), bytes))


class _NotPlain(Exception):
    pass


def _copy_config(value):
    """``copy.deepcopy(value)``, faster for what configurations hold.

    An instance is copied before every run, as Datadog does, and deepcopy's
    generic machinery costs microseconds even for a small dict. Dicts and lists
    of plain values are copied here, sharing preserved as deepcopy preserves it;
    anything else falls back to deepcopy. (``run`` copies an empty dict itself.)
    """
    try:
        return _copy_plain(value, {})
    except _NotPlain:
        return copy.deepcopy(value)


def _copy_plain(value, memo):
    cls = value.__class__
    if cls in _ATOMIC:
        return value
    if cls is not dict and cls is not list:
        raise _NotPlain
    copied = memo.get(id(value))
    if copied is not None:
        return copied
    if cls is dict:
        copied = memo[id(value)] = {}
        for key, item in value.items():
            if key.__class__ not in _ATOMIC:
                raise _NotPlain
            copied[key] = _copy_plain(item, memo)
    else:
        copied = memo[id(value)] = []
        for item in value:
            copied.append(_copy_plain(item, memo))
    return copied


def _describe(error):
    # str() runs user code (__str__) and may itself fail; the report must not.
    try:
        return str(error)
    except Exception:
        return '<{} with an unprintable message>'.format(type(error).__name__)
