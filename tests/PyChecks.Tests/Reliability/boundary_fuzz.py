"""Property-style fuzzing of the boundary between checks and the host.

Feeds random Python values to every function of the ``aggregator`` and ``datadog_agent`` built-in
modules and to the ``AgentCheck`` methods that wrap them. Each call must either raise an expected
exception (TypeError, ValueError and its UnicodeError subclasses, OverflowError, RecursionError, or
``Boom``, which the arguments' own hostile dunders raise), or succeed. A success is compared by the
test with what the sender received: ``step()`` returns the samples the documented rules predict.

The prediction (``Model``, ``AgentCheckModel``, ``AgentModel``) is the contract of docs/writing-checks.md
("What the boundary accepts") written as Python: when it raises, the call must raise too (an allowed exception, not necessarily the
same one, as argument checks may run in another order); when it returns samples, the call must
succeed and deliver exactly those. Every step draws its arguments twice from one step seed (printed with
any failure), once for the call and once for the model, so generators and other one-shot values are fresh.
"""

import math
import operator
import random
import re
import reprlib
import struct

import aggregator
import datadog_agent
from pychecks import AgentCheck


class Boom(Exception):
    """Raised by the hostile dunders of the fuzzed values."""


ALLOWED = (TypeError, ValueError, OverflowError, RecursionError, Boom)


# ----------------------------------------------------------------------------- hostile values

class StrSub(str):
    pass


class StrSubBadStr(str):
    def __str__(self):
        raise Boom('__str__')

    def __repr__(self):
        raise Boom('__repr__')


class IntSub(int):
    pass


class FloatSub(float):
    pass


class FloatSubOwnFloat(float):
    def __float__(self):
        return 42.0


class BytesSub(bytes):
    pass


class ListSub(list):
    pass


class TupleSub(tuple):
    pass


class DictSub(dict):
    pass


class BadStr:
    def __str__(self):
        raise Boom('__str__')

    def __repr__(self):
        raise Boom('__repr__')

    def __format__(self, spec):
        raise Boom('__format__')


class BadFloat:
    def __float__(self):
        raise Boom('__float__')


class BadIndex:
    def __index__(self):
        raise Boom('__index__')


class FloatLike:
    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


class IndexLike:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


class IntOnly:
    """Has __int__ but not __index__: not an integer for the built-ins."""

    def __int__(self):
        return 3


class FloatReturnsStr:
    def __float__(self):
        return 'x'


class BadLen:
    def __len__(self):
        raise Boom('__len__')

    def __getitem__(self, index):
        if index < 2:
            return 'seq:{}'.format(index)
        raise IndexError(index)


class BadIter:
    def __iter__(self):
        raise Boom('__iter__')

    def __len__(self):
        return 1

    def __getitem__(self, index):
        raise Boom('__getitem__')


class GoodSeq:
    def __len__(self):
        return 2

    def __getitem__(self, index):
        if index < 2:
            return ('seq:a', b'seq:b')[index]
        raise IndexError(index)


class BadBool:
    def __bool__(self):
        raise Boom('__bool__')


class BadEq:
    def __eq__(self, other):
        raise Boom('__eq__')

    def __hash__(self):
        return 1


class BadHash:
    def __hash__(self):
        raise Boom('__hash__')


class BadClass:
    @property
    def __class__(self):
        raise Boom('__class__')


def _deep(depth):
    value = ['leaf']
    for _ in range(depth):
        value = [value]
    return value


_SELF = ['self:1']
_SELF.append(_SELF)
_SELF_DICT = {'msg_title': 't'}
_SELF_DICT['self'] = _SELF_DICT
_HUGE = 'm' * (1 << 20)
_HUGE_UNICODE = '\u00e9\U0001f600' * (1 << 18)
_HUGE_BYTES = b'b' * (1 << 20)
_DEEP = _deep(100000)

_INTS = (0, 1, -1, 2, 6, 7, 255, 256, 257, -5, -6, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 2 ** 64,
         10 ** 30, -10 ** 30, 10 ** 400, -10 ** 400)
_FLOATS = (0.0, -0.0, 1.5, -2.5, float('nan'), -float('nan'), float('inf'), float('-inf'), 5e-324, -5e-324,
           2.2250738585072014e-308 / 3, 1.7976931348623157e308, 1e16, 1e19, -1e19, 9.2e18, 123456789.987)
_STRS = ('', 'm', 'a.b.c', 'env:prod', 'tag:\u00e9t\u00e9', '\U0001f600', '\ud800', 'a\udcffb', '\udfff\ud800',
         'nul\x00byte', '\x00', ' ', 'x' * 300, '1.5', 'nan', 'inf', '12')
_BYTES = (b'', b'ok', b'tag:v', b'\xff\xfe', b'caf\xc3\xa9', b'\xc3', b'\xed\xa0\x80', b'nul\x00')


class Values:
    """Random values, drawn from one seeded ``random.Random`` so a step can be replayed exactly."""

    def __init__(self, rng):
        self.rng = rng

    def any(self, depth=0):
        r = self.rng
        kind = r.randrange(30 if depth < 3 else 22)
        if kind == 0:
            return None
        if kind == 1:
            return r.choice((True, False))
        if kind == 2:
            return r.choice(_INTS)
        if kind == 3:
            return r.randint(-2 ** 70, 2 ** 70)
        if kind == 4:
            return r.choice(_FLOATS)
        if kind == 5:
            return r.uniform(-1e6, 1e6)
        if kind in (6, 7):
            return self.text()
        if kind == 8:
            return r.choice(_BYTES)
        if kind == 9:
            return bytearray(r.choice(_BYTES))
        if kind == 10:
            return r.choice((StrSub(self.text()), StrSubBadStr('sub'), BytesSub(r.choice(_BYTES))))
        if kind == 11:
            return r.choice((IntSub(r.choice(_INTS)), FloatSub(r.choice(_FLOATS)), FloatSubOwnFloat(1.0)))
        if kind == 12:
            return r.choice((BadStr(), BadFloat(), BadIndex(), BadBool(), BadEq(), BadHash(), BadClass(), BadLen(),
                             BadIter(), FloatReturnsStr(), IntOnly()))
        if kind == 13:
            return r.choice((FloatLike(r.choice(_FLOATS)), IndexLike(r.choice(_INTS)), GoodSeq()))
        if kind == 14:
            return (x for x in ('gen:1', b'gen:2', 3))
        if kind == 15:
            return r.choice((_SELF, _SELF_DICT, _DEEP, _HUGE, _HUGE_UNICODE, _HUGE_BYTES)) if r.random() < 0.2 else self.text()
        if kind == 16:
            return object()
        if kind == 17:
            return r.choice((1j, range(3), memoryview(b'mv'), frozenset(('f:1',)), Ellipsis, len, AgentCheck))
        if kind in (18, 19, 20, 21):
            return self.tags()
        if kind in (22, 23):
            return [self.any(depth + 1) for _ in range(r.randrange(4))]
        if kind == 24:
            return tuple(self.any(depth + 1) for _ in range(r.randrange(4)))
        if kind == 25:
            return {self.text(): self.any(depth + 1) for _ in range(r.randrange(4))}
        if kind == 26:
            return set(self.text() for _ in range(r.randrange(3)))
        if kind == 27:
            return ListSub(self.tags())
        if kind == 28:
            return TupleSub(self.tags())
        return DictSub(self.event())

    def text(self):
        r = self.rng
        if r.random() < 0.6:
            return r.choice(_STRS)
        return ''.join(chr(r.choice((r.randrange(32, 127), r.randrange(0x80, 0x800), r.randrange(0xD800, 0xE000),
                                     r.randrange(0x10000, 0x110000), 0)))
                       for _ in range(r.randrange(1, 12)))

    def tag(self):
        r = self.rng
        kind = r.randrange(10)
        if kind < 5:
            return self.text()
        if kind == 5:
            return r.choice(_BYTES)
        if kind == 6:
            return None
        if kind == 7:
            return StrSub(self.text())
        if kind == 8:
            return r.choice(('env:fuzz', 'service:boundary'))  # the configured tags: kept once
        return self.any(depth=3)

    def tags(self):
        r = self.rng
        items = [self.tag() for _ in range(r.randrange(6))]
        return items if r.random() < 0.7 else tuple(items)

    def event(self):
        r = self.rng
        keys = ('timestamp', 'event_type', 'msg_title', 'msg_text', 'aggregation_key', 'alert_type',
                'source_type_name', 'host', 'priority', 'tags', 'other')
        event = {}
        for key in r.sample(keys, r.randrange(len(keys) + 1)):
            roll = r.random()
            if key == 'timestamp':
                event[key] = self.any() if roll < 0.5 else r.choice((0, 1700000000, 1.7e9, -5, 2 ** 70, float('nan')))
            elif key == 'tags':
                event[key] = self.tags() if roll < 0.7 else self.any()
            else:
                event[key] = self.text() if roll < 0.6 else r.choice(_BYTES) if roll < 0.8 else self.any()
        return event


# ----------------------------------------------------------------------------- models

def as_str(value):
    """What the host reads from a str argument: its characters (a subclass's too, never its __str__)."""
    if issubclass(type(value), str):  # PyUnicode_Check: the type, never a __class__ attribute
        return str.__str__(value)
    raise TypeError('not a str')


def through_utf16(text):
    """A str after a trip through .NET: UTF-16 cannot tell a high and a low lone surrogate from the pair they form."""
    return text.encode('utf-16-le', 'surrogatepass').decode('utf-16-le', 'surrogatepass')


def as_optional_str(value):
    return '' if value is None else as_str(value)


def as_int64(value):
    if type(value) is float:
        raise TypeError('float')
    if not isinstance(value, int):
        value = operator.index(value)  # __index__ only: an object with __int__ alone is not an int
    value = int(value)
    if not -2 ** 63 <= value < 2 ** 63:
        raise OverflowError(value)
    return value


def as_double(value):
    if issubclass(type(value), float):
        return float.__float__(value)  # a float subclass's own value, as PyFloat_AsDouble reads it
    if issubclass(type(value), (str, bytes, bytearray)):
        raise TypeError('text is not a real number')
    return float(value)


def as_truth(value):
    return bool(value)


class Model:
    """The documented rules, with the configured tags of the fuzz check."""

    def __init__(self, check_id, configured):
        self.check_id = check_id
        self.configured = configured

    def routed(self, check_id):
        return as_str(check_id) == self.check_id

    def tags(self, value):
        if type(value) not in (list, tuple):
            if issubclass(type(value), (str, bytes, dict)) or not hasattr(type(value), '__getitem__'):
                raise TypeError('tags must be a sequence')
            value = list(value)
        kept = []
        for item in value:
            if issubclass(type(item), str):
                kept.append(str.__str__(item))
            elif issubclass(type(item), bytes):
                try:
                    kept.append(bytes(item).decode('utf-8'))
                except UnicodeDecodeError:
                    pass  # logged and dropped
        return kept + [t for t in self.configured if t not in kept]

    def submit_metric(self, check, check_id, mtype, name, value, tags, hostname, flush=False, *extra):
        if extra:
            raise TypeError('arity')
        routed = self.routed(check_id)
        mtype = as_int64(mtype)
        name = as_str(name)
        value = as_double(value)
        if not 0 <= mtype <= 6:
            raise ValueError('mtype')
        hostname = as_optional_str(hostname)
        flush = as_truth(flush)
        tags = self.tags(tags)
        return [('metric', mtype, name, value, tags, hostname, flush)] if routed else []

    def submit_metric_fast(self, check, check_id, mtype, name, value, tags, flush):
        common = (type(mtype) is int and 0 <= mtype <= 6 and (flush is True or flush is False)
                  and (tags is None or type(tags) in (list, tuple)) and type(value) in (int, float)
                  and issubclass(type(check_id), str) and issubclass(type(name), str) and _utf8(check_id) and _utf8(name))
        if common and type(value) is int:
            try:
                float(value)
            except OverflowError:
                common = False
        if not common:
            return False, []
        return True, self.submit_metric(check, check_id, mtype, name, float(value), [] if tags is None else tags, '', flush)

    def submit_service_check(self, check, check_id, name, status, tags, hostname, message):
        routed = self.routed(check_id)
        name = as_str(name)
        status = as_int64(status)
        hostname = as_optional_str(hostname)
        message = as_optional_str(message)
        if not 0 <= status <= 3:
            raise ValueError('status')
        tags = self.tags(tags)
        return [('service_check', name, status, tags, hostname, message)] if routed else []

    def submit_event(self, check, check_id, event):
        routed = self.routed(check_id)
        if not issubclass(type(event), dict):
            raise TypeError('event must be a dict')
        fields = {}
        for key in ('msg_title', 'msg_text', 'priority', 'host', 'alert_type', 'aggregation_key', 'source_type_name',
                    'event_type'):
            item = dict.get(event, key)
            if item is None:
                fields[key] = ''
            elif issubclass(type(item), str):
                fields[key] = str.__str__(item)
            elif issubclass(type(item), bytes):
                fields[key] = bytes(item).decode('utf-8')
            else:
                raise TypeError(key)
        timestamp = 0
        ts = dict.get(event, 'timestamp')
        if ts is not None:
            try:
                seconds = as_double(ts)
            except (TypeError, ValueError, OverflowError):
                seconds = 0.0  # unreadable: now
            timestamp = int(seconds) if math.isfinite(seconds) and -2 ** 63 <= seconds < 2 ** 63 else 0
        tags = dict.get(event, 'tags')
        tags = list(self.configured) if tags is None else self.tags(tags)
        if not routed:
            return []
        return [('event', fields['msg_title'], fields['msg_text'], timestamp, fields['priority'], fields['host'],
                 fields['alert_type'], fields['aggregation_key'], fields['source_type_name'], fields['event_type'], tags)]

    def submit_histogram_bucket(self, check, check_id, name, value, lower, upper, monotonic, hostname, tags, *flush):
        if len(flush) > 1:
            raise TypeError('arity')
        routed = self.routed(check_id)
        name = as_str(name)
        value = as_int64(value)
        lower = as_double(lower)
        upper = as_double(upper)
        monotonic = as_truth(monotonic)
        hostname = as_optional_str(hostname)
        tags = self.tags(tags)
        return [('bucket', name, value, lower, upper, monotonic, hostname, tags)] if routed else []


def _utf8(text):
    try:
        text.encode('utf-8')
        return True
    except UnicodeEncodeError:
        return False


def _native(value):
    """AgentCheck's to_native_string: bytes decoded (strictly), anything else unchanged."""
    return value.decode('utf-8') if isinstance(value, bytes) else value


class AgentCheckModel:
    """AgentCheck's documented preprocessing, followed by the aggregator's rules."""

    def __init__(self, model, namespace):
        self.model = model
        self.namespace = namespace

    def name(self, name, raw):
        """_submit_metric reformats only a name that is not an exact str, or that takes the namespace."""
        if name.__class__ is not str or (self.namespace and not raw):
            return self.format_namespace(name, raw)
        return name

    def format_namespace(self, name, raw):
        name = _native(name)
        if not raw and self.namespace:
            return '{}.{}'.format(self.namespace, name)
        return name

    def tags(self, tags, device_name=None):
        normalized = []
        if device_name:
            try:
                normalized.append('device:{}'.format(_native(device_name)))
            except UnicodeError:
                pass  # logged and dropped
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
                    pass  # logged and dropped
            else:
                normalized.append(tag)
        return normalized

    def metric(self, mtype, name, value, tags=None, hostname=None, device_name=None, raw=False, flush=False):
        fast = hostname is None and not device_name and (raw or not self.namespace)
        if fast:
            taken, samples = self.model.submit_metric_fast(None, self.model.check_id, mtype, name, value, tags, flush)
            if taken:
                return samples
        return self.general(mtype, name, value, tags, hostname, device_name, raw, flush)

    def general(self, mtype, name, value, tags=None, hostname=None, device_name=None, raw=False, flush=False):
        """AgentCheck._submit_metric, which increment() and decrement() always take."""
        if value is None:
            return []
        name = self.name(name, raw)
        if value.__class__ is not float:
            try:
                value = float(value)
            except (TypeError, ValueError, OverflowError):
                raise ValueError('non float value')
        if device_name or (tags.__class__ is not list and tags.__class__ is not tuple):
            tags = () if tags is None and not device_name else self.tags(tags, device_name)
        hostname = '' if hostname is None else _native(hostname)
        return self.model.submit_metric(None, self.model.check_id, mtype, name, value, tags, hostname, flush)

    def bucket(self, name, value, lower, upper, monotonic, hostname, tags, raw=False, flush_first_value=False):
        if value is None:
            return []
        try:
            value = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError('non integer value')
        tags = self.tags(tags)
        hostname = '' if hostname is None else _native(hostname)
        return self.model.submit_histogram_bucket(None, self.model.check_id, self.format_namespace(name, raw), value, lower, upper,
                                                  monotonic, hostname, tags)

    def service_check(self, name, status, tags=None, hostname=None, message=None, raw=False):
        tags = self.tags(tags)
        hostname = '' if hostname is None else _native(hostname)
        if message is None:
            message = ''
        elif isinstance(message, bytes):
            message = message.decode('utf-8', 'replace')
        elif not isinstance(message, str):
            message = str(message)
        return self.model.submit_service_check(None, self.model.check_id, self.format_namespace(name, raw), status, tags,
                                               hostname, message)

    def event(self, event):
        event = dict(event)
        for key, value in event.items():
            if isinstance(value, bytes):
                try:
                    event[key] = value.decode('utf-8')
                except UnicodeError:
                    return []  # logged and dropped
        if event.get('tags'):
            event['tags'] = self.tags(event['tags'])
        if event.get('timestamp'):
            event['timestamp'] = int(event['timestamp'])
        if self.namespace:
            event.setdefault('source_type_name', self.namespace)
        return self.model.submit_event(None, self.model.check_id, event)


def encode(value):
    """The canonical text of a configuration value, as BoundaryFuzzTests.Encode writes it for the .NET value."""
    out = []
    _encode(value, out)
    return ''.join(out)


def _encode(value, out):
    t = type(value)
    if value is None:
        out.append('~')
    elif t is bool:
        out.append('b1' if value else 'b0')
    elif t is int:
        out.append('i{}{:x};'.format('-' if value < 0 else '', abs(value)))
    elif t is float:
        out.append('f{};'.format(struct.pack('<d', value).hex()))
    elif t is str:
        out.append('s{};'.format(value.encode('utf-16-le', 'surrogatepass').hex()))
    elif t is bytes:
        out.append('y{};'.format(value.hex()))
    elif t in (list, tuple):
        out.append('[' if t is list else '(')
        for item in value:
            _encode(item, out)
        out.append(']' if t is list else ')')
    elif t is dict:
        out.append('{')
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
        out.append('}')
    else:
        out.append('?{};'.format(t.__name__))


def as_utf8_str(value):
    """A str that must have a UTF-8 form (the persistent cache stores UTF-8)."""
    text = as_str(value)
    text.encode('utf-8')  # UnicodeEncodeError for lone surrogates
    return text


_LEVELS = ((50, 'Critical'), (40, 'Error'), (30, 'Warning'), (20, 'Information'), (10, 'Debug'))


def log_category(logger_name):
    base = 'datadog_checks.base.checks.base.'
    if logger_name.startswith(base):
        return 'PyChecks.Checks.' + logger_name[len(base):]
    if logger_name.startswith('datadog_checks.'):
        return 'PyChecks.Checks.' + logger_name[len('datadog_checks.'):]
    return 'PyChecks.Python' + ('.' + logger_name if logger_name else '')


class AgentModel:
    """The documented answers and rules of the datadog_agent module."""

    def __init__(self, model, answers):
        self.model = model
        self.answers = answers
        self.cache = {}

    def no_args(self, name):
        def call(*args, **kwargs):
            if args or kwargs:
                raise TypeError('takes no arguments')
            return self.answers[name], []
        return call

    def get_config(self, key):
        key = as_str(key)
        expected = self.answers['config'].get(key, '~')
        if expected == 'ValueError':
            raise ValueError('not convertible')
        return expected, []

    def headers(self, *args, **kwargs):
        headers = {'User-Agent': 'Datadog Agent/' + self.answers['get_version'],
                   'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'text/html, */*'}
        host = kwargs.get('http_host')
        if host is not None:
            headers['Host'] = through_utf16(as_str(host))
        return headers, []

    def log(self, message, level, logger_name=None):
        message = as_str(message)
        level = as_int64(level)
        logger_name = as_optional_str(logger_name)
        name = next((n for threshold, n in _LEVELS if level >= threshold), 'Trace')
        return None, [('log', log_category(logger_name), name, message)]

    def set_check_metadata(self, check_id, name, value):
        routed = as_str(check_id) == self.model.check_id
        name = as_str(name)
        value = as_str(value)
        return None, [('metadata', name, value)] if routed else []

    def write_read(self, key, value):
        key = as_utf8_str(key)
        value = as_utf8_str(value)
        self.cache[key] = value
        return value, []

    def read(self, key):
        key = as_utf8_str(key)
        return self.cache.get(key, ''), []


_CACHE_KEYS = ('k', 'k2', '\ud800', '\udc00', '\ufffd', 'a/../b', '../../x', 'nul\x00key', '', 'x' * 5000, '\u00e9')


# ----------------------------------------------------------------------------- the fuzzer

class FuzzCheck(AgentCheck):
    def check(self, instance):
        pass


class NamespacedFuzzCheck(AgentCheck):
    __NAMESPACE__ = 'ns'

    def check(self, instance):
        pass


_METRIC_TYPES = (aggregator.GAUGE, aggregator.RATE, aggregator.COUNT, aggregator.MONOTONIC_COUNT, aggregator.COUNTER,
                 aggregator.HISTOGRAM, aggregator.HISTORATE)
_AGENT_METHODS = {
    'gauge': aggregator.GAUGE, 'count': aggregator.COUNT, 'monotonic_count': aggregator.MONOTONIC_COUNT,
    'rate': aggregator.RATE, 'histogram': aggregator.HISTOGRAM, 'historate': aggregator.HISTORATE,
}


def describe(value):
    try:
        return _repr.repr(value)
    except BaseException as e:  # a hostile __repr__, or one too deep
        return '<{} whose repr raised {}>'.format(type(value).__name__, type(e).__name__)


_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlevel = 4


class Fuzzer:
    """One step = one call with random arguments, and its predicted outcome."""

    def __init__(self, seed, check_id, configured, answers=None):
        self.seed = seed
        self.check_id = check_id
        self.model = Model(check_id, list(configured))
        self.agent = AgentModel(self.model, answers or {})
        self.checks = {False: FuzzCheck('fuzz', {}, [{}]), True: NamespacedFuzzCheck('fuzz', {}, [{}])}
        for check in self.checks.values():
            check.check_id = check_id
        self.step_index = 0

    # Each generator draws the arguments (positional list and keyword dict) of one call from rng.
    def _valid_or_any(self, v, valid, p=0.85):
        return valid() if v.rng.random() < p else v.any()

    def _check_id(self, v):
        return self.check_id if v.rng.random() < 0.95 else v.text()

    def _arity(self, v, args):
        """Sometimes one argument too few or too many, or keywords where positions are expected."""
        roll = v.rng.random()
        if roll < 0.04:
            return args[:v.rng.randrange(len(args))], {}
        if roll < 0.08:
            return args + [v.any()], {}
        return args, {}

    def gen_submit_metric(self, v):
        r = v.rng
        args = [None, self._check_id(v),
                self._valid_or_any(v, lambda: r.choice(_METRIC_TYPES)),
                self._valid_or_any(v, v.text),
                self._valid_or_any(v, lambda: r.choice((r.choice(_FLOATS), r.choice(_INTS), r.random()))),
                self._valid_or_any(v, v.tags),
                self._valid_or_any(v, lambda: r.choice((None, '', v.text()))),
                ]
        if r.random() < 0.5:
            args.append(self._valid_or_any(v, lambda: r.choice((True, False))))
        return self._arity(v, args)

    def gen_submit_metric_fast(self, v):
        r = v.rng
        args = [None, self._check_id(v),
                self._valid_or_any(v, lambda: r.choice(_METRIC_TYPES), 0.8),
                self._valid_or_any(v, v.text, 0.8),
                self._valid_or_any(v, lambda: r.choice((r.choice(_FLOATS), r.choice(_INTS), r.random())), 0.8),
                self._valid_or_any(v, lambda: None if r.random() < 0.3 else v.tags(), 0.8),
                self._valid_or_any(v, lambda: r.choice((True, False)), 0.8)]
        return self._arity(v, args)

    def gen_submit_service_check(self, v):
        r = v.rng
        args = [None, self._check_id(v), self._valid_or_any(v, v.text),
                self._valid_or_any(v, lambda: r.randrange(4)), self._valid_or_any(v, v.tags),
                self._valid_or_any(v, lambda: r.choice((None, v.text()))),
                self._valid_or_any(v, lambda: r.choice((None, v.text())))]
        return self._arity(v, args)

    def gen_submit_event(self, v):
        args = [None, self._check_id(v), self._valid_or_any(v, v.event, 0.85)]
        return self._arity(v, args)

    def gen_submit_histogram_bucket(self, v):
        r = v.rng
        args = [None, self._check_id(v), self._valid_or_any(v, v.text), self._valid_or_any(v, lambda: r.choice(_INTS)),
                self._valid_or_any(v, lambda: r.choice(_FLOATS)), self._valid_or_any(v, lambda: r.choice(_FLOATS)),
                self._valid_or_any(v, lambda: r.choice((True, False))),
                self._valid_or_any(v, lambda: r.choice((None, v.text()))), self._valid_or_any(v, v.tags)]
        if r.random() < 0.3:
            args.append(v.any())
        return self._arity(v, args)

    def gen_metric_method(self, v):
        r = v.rng
        kwargs = {}
        if r.random() < 0.5:
            kwargs['tags'] = v.tags() if r.random() < 0.6 else v.any()
        if r.random() < 0.2:
            kwargs['hostname'] = r.choice((None, v.text(), r.choice(_BYTES), v.any()))
        if r.random() < 0.15:
            kwargs['device_name'] = r.choice((None, v.text(), r.choice(_BYTES), v.any()))
        if r.random() < 0.2:
            kwargs['raw'] = r.choice((True, False, v.any()))
        args = [self._valid_or_any(v, v.text, 0.6),
                self._valid_or_any(v, lambda: r.choice((r.choice(_FLOATS), r.choice(_INTS), None, '2.5')), 0.6)]
        if r.random() < 0.03:
            args = args[:r.randrange(2)]
        return args, kwargs

    def _draw_agent(self, name, v):
        r = v.rng
        a = self.agent
        if name in ('get_version', 'get_hostname', 'get_clustername', 'get_host_tags', 'tracemalloc_enabled'):
            args, kwargs = ([], {}) if r.random() < 0.9 else self._arity(v, [v.any()])
            if r.random() < 0.03:
                kwargs = {'x': v.any()}
            return getattr(datadog_agent, name), a.no_args(name), args, kwargs
        if name == 'get_process_start_time':
            def started(*args, **kwargs):
                result = datadog_agent.get_process_start_time(*args, **kwargs)
                return type(result) is float and 0 < result <= __import__('time').time()

            def model(*args, **kwargs):
                if args or kwargs:
                    raise TypeError('takes no arguments')
                return True, []

            return started, model, [] if r.random() < 0.9 else [v.any()], {}
        if name == 'get_config':
            keys = list(self.agent.answers['config'])
            key = r.choice(keys) if keys and r.random() < 0.7 else v.any() if r.random() < 0.5 else v.text()
            args, kwargs = self._arity(v, [key])

            def get_config(*args, **kwargs):
                return encode(datadog_agent.get_config(*args, **kwargs))

            return get_config, _positional(a.get_config), args, kwargs
        if name == 'headers':
            args = [r.choice(({}, None, v.any()))] if r.random() < 0.9 else []
            kwargs = {}
            if r.random() < 0.6:
                kwargs['http_host'] = r.choice((None, v.text(), v.any()))
            if r.random() < 0.2:
                kwargs[v.text() if r.random() < 0.5 else 'timeout'] = v.any()
            return datadog_agent.headers, a.headers, args, kwargs
        if name == 'log':
            args = [self._valid_or_any(v, v.text), self._valid_or_any(v, lambda: r.choice((0, 5, 7, 10, 20, 30, 40, 50, 60, -1, 2 ** 63 - 1)))]
            if r.random() < 0.6:
                args.append(self._valid_or_any(v, lambda: r.choice((None, '', 'datadog_checks.fuzz', 'datadog_checks.base.checks.base.fuzz', 'urllib3.pool', v.text()))))
            args, kwargs = self._arity(v, args)
            if r.random() < 0.03:
                kwargs = {'level': 20}
            return datadog_agent.log, _positional(a.log), args, kwargs
        if name == 'set_check_metadata':
            args = [self._check_id(v), self._valid_or_any(v, v.text), self._valid_or_any(v, v.text)]
            args, kwargs = self._arity(v, args)
            return datadog_agent.set_check_metadata, _positional(a.set_check_metadata), args, kwargs
        if name == 'persistent_cache':
            key = r.choice(_CACHE_KEYS) if r.random() < 0.7 else self._valid_or_any(v, v.text)
            value = self._valid_or_any(v, lambda: _HUGE if r.random() < 0.02 else r.choice((v.text(), '')), 0.8)

            def write_read(key, value):
                datadog_agent.write_persistent_cache(key, value)
                return datadog_agent.read_persistent_cache(key)

            return write_read, a.write_read, [key, value], {}
        if name == 'read_persistent_cache':
            key = r.choice(_CACHE_KEYS) if r.random() < 0.7 else v.any()
            args, kwargs = self._arity(v, [key])
            return datadog_agent.read_persistent_cache, _positional(a.read), args, kwargs
        if name == 'write_persistent_cache':
            args, kwargs = self._arity(v, [self._valid_or_any(v, lambda: r.choice(_CACHE_KEYS)), v.any()])

            def write(*args, **kwargs):
                if kwargs or len(args) != 2:
                    raise TypeError('arity')
                a.write_read(*args)
                return None, []

            return datadog_agent.write_persistent_cache, write, args, kwargs
        raise ValueError('unknown datadog_agent function ' + name)

    def step(self, function):
        """Runs one call of ``function``; returns (description, outcome, samples).

        outcome is 'raised' (an allowed exception, and the model agrees something was wrong), 'ok', or a
        message saying what went wrong. samples are the predicted deliveries, in order.
        """
        self.step_index += 1
        seed = random.Random('{}:{}:{}'.format(self.seed, function, self.step_index)).getrandbits(64)
        call, predict, what = self._prepare(function, seed)
        try:
            predicted = predict()
            expect_error = None
        except BaseException as e:  # a model that raises: the call must raise too
            predicted = []
            expect_error = e
        description = '{} #{} (step seed {}): {}'.format(function, self.step_index, seed, what)
        try:
            result = call()
        except ALLOWED as e:
            if expect_error is None:
                return description, 'raised {}: {} where the rules predict success'.format(
                    type(e).__name__, _message(e)), []
            return description, 'raised', []
        except BaseException as e:
            return description, 'raised {}: {}, which is not an expected kind'.format(type(e).__name__, _message(e)), []
        if expect_error is not None:
            return description, 'succeeded (returned {}) where the rules predict {}: {}'.format(
                describe(result), type(expect_error).__name__, _message(expect_error)), []
        if isinstance(predicted, tuple):  # a function that returns a value: (expected result, samples)
            expected_result, predicted = predicted
            if not _same(result, expected_result):
                return description, 'returned {} instead of {}'.format(describe(result), describe(expected_result)), []
        return description, 'ok', predicted

    def _prepare(self, function, seed):
        """(call, predict, description): two independent draws of the same arguments."""
        def draw():
            return self._draw(function, Values(random.Random(seed)))

        target, model, args, kwargs = draw()
        what = '{}({})'.format(function, ', '.join([describe(a) for a in args] +
                                                   ['{}={}'.format(k, describe(a)) for k, a in kwargs.items()]))

        def predict():
            _, model_fn, margs, mkwargs = draw()
            return model_fn(*margs, **mkwargs)

        return (lambda: target(*args, **kwargs)), predict, what

    def _draw(self, function, v):
        m = self.model
        if function == 'aggregator.submit_metric':
            args, kwargs = self.gen_submit_metric(v)
            return aggregator.submit_metric, _positional(m.submit_metric), args, kwargs
        if function == 'aggregator._submit_metric_fast':
            args, kwargs = self.gen_submit_metric_fast(v)

            def fast(*a, **k):
                if k or len(a) != 7:
                    raise TypeError('arity')
                taken, samples = m.submit_metric_fast(*a)
                return taken, samples

            return aggregator._submit_metric_fast, fast, args, kwargs
        if function == 'aggregator.submit_service_check':
            args, kwargs = self.gen_submit_service_check(v)
            return aggregator.submit_service_check, _positional(m.submit_service_check), args, kwargs
        if function == 'aggregator.submit_event':
            args, kwargs = self.gen_submit_event(v)
            return aggregator.submit_event, _positional(m.submit_event), args, kwargs
        if function == 'aggregator.submit_histogram_bucket':
            args, kwargs = self.gen_submit_histogram_bucket(v)
            return aggregator.submit_histogram_bucket, _positional(m.submit_histogram_bucket), args, kwargs
        if function == 'aggregator.keywords':
            # Every aggregator function takes positional arguments only.
            name = v.rng.choice(('submit_metric', 'submit_service_check', 'submit_event', 'submit_histogram_bucket',
                                 '_submit_metric_fast'))

            def refuse(*a, **k):
                raise TypeError('no keywords')

            return getattr(aggregator, name), refuse, [None, self.check_id], {'name': v.text(), 'value': v.any()}
        if function.startswith('datadog_agent.'):
            return self._draw_agent(function[len('datadog_agent.'):], v)
        namespaced = v.rng.random() < 0.3
        check = self.checks[namespaced]
        cm = AgentCheckModel(m, check.__NAMESPACE__)
        if function.startswith('AgentCheck.'):
            method = function[len('AgentCheck.'):]
            if method in _AGENT_METHODS:
                args, kwargs = self.gen_metric_method(v)
                mtype = _AGENT_METHODS[method]
                flush = False
                if method == 'monotonic_count' and v.rng.random() < 0.5:
                    kwargs['flush_first_value'] = flush = v.rng.choice((True, False))

                def metric(*a, **k):
                    k.pop('flush_first_value', None)
                    return cm.metric(mtype, *a, flush=flush, **k)

                return getattr(check, method), metric, args, kwargs
            if method in ('increment', 'decrement'):
                args, kwargs = self.gen_metric_method(v)
                if v.rng.random() < 0.3:
                    args = args[:1]
                default = 1 if method == 'increment' else -1

                def counter(name, value=default, **k):
                    return cm.general(aggregator.COUNTER, name, value, **k)

                return getattr(check, method), counter, args, kwargs
            if method == 'submit_histogram_bucket':
                r = v.rng
                args = [self._valid_or_any(v, v.text), self._valid_or_any(v, lambda: r.choice(_INTS + (None, 2.7, '3'))),
                        self._valid_or_any(v, lambda: r.choice(_FLOATS)), self._valid_or_any(v, lambda: r.choice(_FLOATS)),
                        self._valid_or_any(v, lambda: r.choice((True, False))),
                        self._valid_or_any(v, lambda: r.choice((None, v.text(), r.choice(_BYTES)))),
                        self._valid_or_any(v, v.tags)]
                kwargs = {}
                if r.random() < 0.3:
                    kwargs['raw'] = r.choice((True, False))
                return check.submit_histogram_bucket, cm.bucket, args, kwargs
            if method == 'service_check':
                r = v.rng
                args = [self._valid_or_any(v, v.text), self._valid_or_any(v, lambda: r.randrange(4))]
                kwargs = {}
                if r.random() < 0.6:
                    kwargs['tags'] = v.tags() if r.random() < 0.7 else v.any()
                if r.random() < 0.3:
                    kwargs['hostname'] = r.choice((None, v.text(), r.choice(_BYTES), v.any()))
                if r.random() < 0.5:
                    kwargs['message'] = r.choice((None, v.text(), r.choice(_BYTES), v.any(), ValueError('boom')))
                if r.random() < 0.2:
                    kwargs['raw'] = r.choice((True, False))
                return check.service_check, cm.service_check, args, kwargs
            if method == 'event':
                event = v.event() if v.rng.random() < 0.85 else v.any()
                return check.event, cm.event, [event], {}
            r = v.rng
            if method == 'set_metadata':
                args = [self._valid_or_any(v, lambda: r.choice((v.text(), r.choice(_BYTES))), 0.7), v.any()]
                kwargs = {'option': v.any()} if r.random() < 0.2 else {}

                def set_metadata(name, value, **options):
                    value = value.decode('utf-8', 'replace') if isinstance(value, bytes) else str(value)
                    return None, self.agent.set_check_metadata(self.check_id, _native(name), value)[1]

                return check.set_metadata, set_metadata, args, kwargs
            if method == 'warning':
                message = r.choice((v.text(), r.choice(_BYTES), v.any(), 'rows: %d', '%s and %r', '%(x)s'))
                args = [message] + [v.any() for _ in range(r.choice((0, 0, 1, 2)))]

                def warn(*a):
                    check.warning(*a)
                    return check.warnings.pop()

                def model(message, *a):
                    if isinstance(message, bytes):
                        message = message.decode('utf-8', 'replace')
                    elif not isinstance(message, str):
                        message = str(message)
                    return (message % a if a else message), []

                return warn, model, args, {}
            if method == 'persistent_cache':
                key = r.choice(_CACHE_KEYS + (v.any(),))
                value = self._valid_or_any(v, v.text, 0.8)

                def write_read(key, value):
                    check.write_persistent_cache(key, value)
                    return check.read_persistent_cache(key)

                def model(key, value):
                    return self.agent.write_read('{}_{}'.format(self.check_id, key), value)

                return write_read, model, [key, value], {}
        raise ValueError('unknown function ' + function)


def _positional(model_fn):
    def call(*args, **kwargs):
        if kwargs:
            raise TypeError('no keywords')
        return model_fn(*args)

    return call


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is str and type(b) is str:
        return _ADDRESS.sub(' at 0x?', a) == _ADDRESS.sub(' at 0x?', b)  # a default repr: the model's object is another
    return type(a) is type(b) and a == b


_ADDRESS = re.compile(r' at 0x[0-9a-f]+')


def _message(e):
    try:
        return str(e)[:300]
    except BaseException:
        return '<unprintable>'


AGGREGATOR_FUNCTIONS = ('aggregator.submit_metric', 'aggregator._submit_metric_fast', 'aggregator.submit_service_check',
                        'aggregator.submit_event', 'aggregator.submit_histogram_bucket', 'aggregator.keywords')
DATADOG_AGENT_FUNCTIONS = tuple('datadog_agent.' + f for f in (
    'get_version', 'get_hostname', 'get_clustername', 'get_host_tags', 'tracemalloc_enabled', 'get_process_start_time',
    'get_config', 'headers', 'log', 'set_check_metadata', 'persistent_cache', 'read_persistent_cache',
    'write_persistent_cache'))
AGENT_CHECK_METHODS = tuple('AgentCheck.' + m for m in (
    'gauge', 'count', 'monotonic_count', 'rate', 'histogram', 'historate', 'increment', 'decrement',
    'submit_histogram_bucket', 'service_check', 'event', 'set_metadata', 'warning', 'persistent_cache'))
