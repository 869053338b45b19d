"""The built-in modules in a process forked from a check: pure Python, because their own functions are .NET code.

In the host, :func:`snapshot` imports every built-in module (so that a child never initializes one, which is .NET code
too) and keeps what does not change: the agent's version, hostname, configuration, ... In the child, :func:`install`
replaces each function of those modules, and every copy of one in a module's namespace (``from datadog_agent import
get_config``), by a stand-in:

- submissions (``aggregator.*``, metadata, external tags, telemetry, logs to send, cache writes) are dropped: the
  child's samples could never reach the host;
- ``datadog_agent.log`` writes to standard error, from the host's log level on;
- what never changes answers from the snapshot (``get_version``, ``get_hostname``, ``get_config``, ...);
- everything else raises ``RuntimeError`` saying that the host cannot be reached from a forked child.
"""

import os
import sys
import types

_MODULES = ('aggregator', 'datadog_agent', '_util', 'util', 'tagger', 'containers', 'kubeutil')

# datadog_agent functions without arguments whose answer is fixed when the host starts.
_CONSTANT_ANSWERS = ('get_version', 'get_hostname', 'get_clustername', 'get_host_tags', 'tracemalloc_enabled',
                     'get_process_start_time')

_DROPPED = {
    'aggregator': ('submit_metric', 'submit_service_check', 'submit_event', 'submit_histogram_bucket',
                   'submit_event_platform_event'),
    'datadog_agent': ('send_log', 'set_external_tags', 'emit_agent_telemetry', 'set_check_metadata',
                      'write_persistent_cache'),
}

_answers = {}
_config = {}
_uncopied = set()  # top-level keys whose values Python could not hold (too deep, or containing themselves)


def snapshot(agent_config):
    """In the host: imports the built-in modules and records the answers that do not change."""
    import importlib

    for name in _MODULES:
        importlib.import_module(name)
    datadog_agent = sys.modules['datadog_agent']
    for name in _CONSTANT_ANSWERS:
        function = getattr(datadog_agent, name, None)
        if function is not None:
            try:
                _answers[name] = function()
            except Exception:
                pass  # that one raises in the child too
    agent_config = dict(agent_config or {})
    _uncopied.update(agent_config.pop('__pychecks_uncopied__', ()))
    _config.update(agent_config)


def install():
    """In the child: replaces the built-in modules' functions, wherever a module holds one, by stand-ins."""
    replaced = {}
    for module_name in _MODULES:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for name, value in list(vars(module).items()):
            if isinstance(value, types.BuiltinFunctionType) and getattr(value, '__self__', None) is module:
                stand_in = _stand_in(module_name, name)
                replaced[id(value)] = (value, stand_in)
                setattr(module, name, stand_in)
    for module in list(sys.modules.values()):
        namespace = getattr(module, '__dict__', None)
        if namespace.__class__ is not dict:
            continue
        copies = [(key, replaced[id(value)]) for key, value in namespace.items() if id(value) in replaced]
        for key, (original, stand_in) in copies:
            if namespace.get(key) is original:
                namespace[key] = stand_in
    checks = sys.modules.get('pychecks.checks')
    if checks is not None and checks._AgentCheckBase is not None:
        # AgentCheck's gauge() and siblings are the host's C methods: the Python ones take their place.
        for name in checks._SUBMIT_METHODS:
            if name not in vars(checks.AgentCheck):
                setattr(checks.AgentCheck, name, vars(checks._SubmitMethods)[name])


def _stand_in(module_name, name):
    if name in _DROPPED.get(module_name, ()):
        return _named(lambda *args, **kwargs: None, name)
    if module_name == 'aggregator' and name == '_submit_metric_fast':
        return _named(lambda *args, **kwargs: True, name)  # "taken": and dropped
    if module_name == 'datadog_agent':
        if name == 'log':
            return log
        if name == 'get_config':
            return get_config
        if name in _answers:
            answer = _answers[name]
            return _named(lambda: answer, name)
    return _unavailable(module_name, name)


def _named(function, name):
    function.__name__ = function.__qualname__ = name
    return function


def _unavailable(module_name, name):
    def unavailable(*args, **kwargs):
        raise RuntimeError(
            '{}.{}() is not available in a process forked from a check (pid {}): only the host process can answer '
            'it. Call it before os.fork(), or in the parent.'.format(module_name, name, os.getpid()))

    return _named(unavailable, name)


def get_config(key):
    """``datadog_agent.get_config`` from the host's configuration at start; dotted keys reach into mappings."""
    if not isinstance(key, str):
        raise TypeError('get_config() argument 1 must be str, not {}'.format(type(key).__name__))
    head = key.partition('.')[0]
    if key in _uncopied or head in _uncopied:
        raise ValueError(
            "the agent configuration value cannot be converted to Python (nested too deeply, or containing itself), so "
            "datadog_agent.get_config({!r}) has no copy of it in this forked child (pid {})".format(key, os.getpid()))
    values = _config
    while True:
        if key in values:
            return values[key]
        head, dot, rest = key.partition('.')
        if not dot or not isinstance(values.get(head), dict):
            return None
        values, key = values[head], rest


def log(message, level, logger_name=None):
    """``datadog_agent.log`` in a child: standard error, from the host's level on, marked with the child's pid."""
    from .log import _get_py_loglevel

    try:
        if level < _get_py_loglevel(_config.get('log_level')):
            return None
    except TypeError:
        pass
    try:
        sys.stderr.write('[pid {}] {}: {}\n'.format(os.getpid(), logger_name or 'python', message))
    except Exception:
        pass
    return None
