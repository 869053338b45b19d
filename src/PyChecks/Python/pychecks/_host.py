"""What the .NET host calls to load checks. Not part of the check author's API."""

import importlib
import os
import sys
import traceback
import warnings

# check name -> (module name, file, modification time in ns when imported): what a reload compares.
_sources = {}


def _stamp(path):
    try:
        return os.stat(path).st_mtime_ns
    except (OSError, TypeError, ValueError):
        return None


def _base_classes():
    """The AgentCheck classes a check may derive from: PyChecks' own, and Datadog's when really installed."""
    from pychecks import AgentCheck

    bases = [AgentCheck]
    for name in ("datadog_checks.base", "checks"):
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        cls = getattr(module, "AgentCheck", None)
        if isinstance(cls, type) and cls not in bases:
            bases.append(cls)
    return tuple(bases)


def _is_missing(error, module_name):
    """True when the module itself (or a parent package) does not exist, as opposed to an import failing inside it."""
    missing = getattr(error, "name", None)
    return (
        isinstance(error, ModuleNotFoundError)
        and missing is not None
        and (module_name == missing or module_name.startswith(missing + "."))
    )


def find_check_class(module):
    """The leaf subclass of AgentCheck in a module, preferring classes defined there; None if there is none."""
    bases = _base_classes()
    candidates = [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, bases) and obj not in bases
    ]
    leaves = [c for c in candidates if not any(o is not c and issubclass(o, c) for o in candidates)]
    defined_here = [c for c in leaves if c.__module__ == module.__name__]
    pool = defined_here or leaves
    return pool[0] if pool else None


def _format_warning(w):
    return "{}:{}: {}: {}".format(w.filename, w.lineno, w.category.__name__, w.message)


def _is_machinery(filename):
    """Frames of the import system and of this loader: noise in a check author's traceback."""
    return (
        filename.startswith("<frozen importlib")
        or filename.endswith(("importlib/__init__.py", "pychecks/_host.py", "pychecks/_entry.py"))
    )


def _format_import_error(error):
    """The traceback of a failed import, from the check's own code: the import machinery's frames are left out."""
    report = traceback.TracebackException(type(error), error, error.__traceback__)
    report.stack = traceback.StackSummary.from_list([f for f in report.stack if not _is_machinery(f.filename)])
    text = "".join(report.format()).rstrip()
    if not report.stack:
        # A SyntaxError in the check itself: only its location and caret are left, which say everything.
        text = text.replace("Traceback (most recent call last):\n", "", 1)
    return text


def _toolkit_hint(error):
    """Why a real datadog_checks.base failed to import under the check, and how to fix it; '' when that is not the cause."""
    from . import toolkit

    if isinstance(error, toolkit.ToolkitImportError):
        return ""  # its message already says it
    location = toolkit.installed_location()
    if location is None:
        return ""
    frames = traceback.extract_tb(error.__traceback__)
    if not any(f.filename.startswith(location + os.sep) for f in frames):
        return ""
    explained = toolkit.explain(error, location)
    return "" if explained is None else "\n" + str(explained)


def load_check_class(check_name):
    """Imports datadog_checks.<name>, then <name>; returns (class, source, version, warnings).

    Raises ImportError whose message lists why each module name failed, with tracebacks. The import runs the
    check's module code, so it goes through pychecks._entry like every other call into a check.
    """
    from . import _entry, _output

    return _entry.call(_load_check_class, _output.output_of(check_name), check_name)


def _load_check_class(check_name):
    errors = []
    for module_name in ("datadog_checks." + check_name, check_name):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                module = importlib.import_module(module_name)
            except Exception as e:
                if _is_missing(e, module_name):
                    errors.append("{}: no such module".format(module_name))
                else:
                    errors.append("{}: import failed:\n{}{}".format(module_name, _format_import_error(e), _toolkit_hint(e)))
                continue
        if getattr(module, "__pychecks_alias__", False):
            # One of the Agent's legacy modules (utils, config, checks) or an alias: not a check of that name.
            errors.append("{}: no such module".format(module_name))
            continue
        cls = find_check_class(module)
        if cls is None:
            errors.append("{}: the module defines no subclass of AgentCheck".format(module_name))
            continue
        version = getattr(module, "__version__", None) or "unversioned"
        path = getattr(module, "__file__", None)
        _sources[check_name] = (module_name, path, _stamp(path))
        return cls, path or module_name, str(version), [_format_warning(w) for w in caught]
    raise ImportError("\n".join(errors))


def invalidate_changed():
    """Forgets the check modules whose file changed or vanished since import, so the next load imports them again.

    Returns the names of those checks. Also drops the import system's directory caches, so new files are seen.
    """
    importlib.invalidate_caches()
    changed = []
    for check_name, (module_name, path, stamp) in list(_sources.items()):
        if path is not None and _stamp(path) == stamp:
            continue
        sys.modules.pop(module_name, None)
        del _sources[check_name]
        changed.append(check_name)
    return changed


def create_check(cls, name, init_config, instance, check_id):
    """Instantiates a check the way Datadog's loader does (through pychecks._entry), then gives it its id."""
    from . import _entry, _output

    return _entry.call(_create_check, _output.output_of(name), cls, name, init_config, instance, check_id)


def _create_check(cls, name, init_config, instance, check_id):
    try:
        check = cls(name=name, init_config=init_config, instances=[instance])
    except TypeError as first:
        # Older checks take agentConfig too.
        try:
            check = cls(name=name, init_config=init_config, agentConfig={}, instances=[instance])
        except TypeError:
            raise first
    check.check_id = check_id
    return check


def worker_started():
    """In a worker process: a crash in native code writes the Python stacks to stderr, which the host shows."""
    import faulthandler
    import sys

    stream = sys.__stderr__
    if stream is not None:
        faulthandler.enable(file=stream, all_threads=True)
