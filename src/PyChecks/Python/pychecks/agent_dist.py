"""The Agent's legacy modules beside the checks: ``checks``, ``checks.*``, ``config`` and ``utils.*``.

The Datadog Agent ships these small modules in its ``dist`` folder and puts that folder on
``sys.path``; checks written for Agent 5 import ``Platform`` from ``utils.platform``,
``get_subprocess_output`` from ``utils.subprocess_output``, ``NetworkCheck`` from
``checks.network_checks``, ``_is_affirmative`` from ``config``, and so on. PyChecks serves its own
versions of these modules, held in memory, the same way: as one entry of ``sys.path``,
:data:`ROOT`, appended at its END, with a path hook that answers for it.

Why a ``sys.path`` entry and not a finder on ``sys.meta_path`` (as the ``datadog_checks.base``
aliases are): these names are common (``utils``, ``config``), and a check folder often has its own
``utils.py``. An entry of ``sys.path`` is resolved by Python's own path finder in order with the
other entries, so

- every folder before it wins: the checks folder (which PyChecks puts first), the standard library,
  ``site-packages``, a virtual environment's packages. A check's own ``utils.py`` or ``config.py``
  is the one it imports;
- a regular package anywhere on ``sys.path`` also wins over a namespace portion found earlier,
  which a finder placed after the path finder could not do: a data folder named ``utils`` or
  ``config`` without an ``__init__.py`` does not hide these modules;
- the packages' submodules are found under their own ``__path__`` only: ``utils.platform`` comes
  from here when ``utils`` is this ``utils``, and a check's own ``utils`` package is left alone.

The Agent appends its ``dist`` folder before its custom ``checks.d`` folder, so there a check's
own ``utils.py`` in ``checks.d`` loses to ``dist/utils``; PyChecks puts checks first, so that a
check's module always wins. A folder a check appends to ``sys.path`` itself comes after this entry.

Each module re-exports Datadog's toolkit when it is installed (as the Agent's do) and pychecks'
own implementation otherwise (:mod:`pychecks.toolkit` decides, and reports a broken toolkit).
"""

import importlib.abc
import importlib.util
import sys

#: The ``sys.path`` entry: not a folder (``<`` cannot start a relative path Python would find).
ROOT = '<pychecks>/agent-dist'

# relative path without .py ('utils/platform', 'checks/__init__') -> source, set by install().
_sources = {}


class _Loader(importlib.abc.InspectLoader):
    """Runs one module from its source in memory; ``get_source`` lets tracebacks show its lines."""

    def __init__(self, fullname, filename, source, is_package):
        self._fullname = fullname
        self._filename = filename
        self._source = source
        self._is_package = is_package

    def create_module(self, spec):
        """Use the default module creation."""
        return None

    def exec_module(self, module):
        """Run the source in the module, marked as served by pychecks for the host's check loader."""
        module.__pychecks_alias__ = True
        exec(compile(self._source, self._filename, 'exec', dont_inherit=True), module.__dict__)

    def get_source(self, fullname):
        """The module's source."""
        return self._source

    def is_package(self, fullname):
        """Whether the module is a package."""
        return self._is_package


class AgentDistFinder(importlib.abc.PathEntryFinder):
    """The finder of one folder under :data:`ROOT` (``''`` for the root itself, ``'utils'`` for the package)."""

    def __init__(self, folder):
        self._folder = folder

    def find_spec(self, fullname, target=None):
        """A spec for ``fullname``'s last part in this folder, or ``None``."""
        tail = fullname.rpartition('.')[2]
        relative = self._folder + '/' + tail if self._folder else tail
        for key, is_package in ((relative + '/__init__', True), (relative, False)):
            source = _sources.get(key)
            if source is None:
                continue
            filename = '{}/{}.py'.format(ROOT, key)
            spec = importlib.util.spec_from_loader(
                fullname, _Loader(fullname, filename, source, is_package), origin=filename, is_package=is_package)
            if is_package:
                spec.submodule_search_locations = ['{}/{}'.format(ROOT, relative)]
            spec.has_location = True
            return spec
        return None

    def invalidate_caches(self):
        """Nothing is cached."""


def _path_hook(entry):
    """Claims :data:`ROOT` and the folders below it; any other entry is left to the next hook."""
    if entry == ROOT:
        return AgentDistFinder('')
    if isinstance(entry, str) and entry.startswith(ROOT + '/'):
        return AgentDistFinder(entry[len(ROOT) + 1:])
    raise ImportError('not a pychecks path')


def install(sources):
    """Serve ``sources`` (relative path without ``.py`` -> source) at :data:`ROOT`, appended to ``sys.path``.

    Safe to call more than once. Modules already imported are not touched.
    """
    _sources.clear()
    _sources.update(sources)
    if not any(getattr(hook, '__name__', None) == _path_hook.__name__ and getattr(hook, '__module__', None) == __name__
               for hook in sys.path_hooks):
        # First, so that the zip importer never tries to open the entry as an archive.
        sys.path_hooks.insert(0, _path_hook)
    for entry in [e for e in sys.path_importer_cache if isinstance(e, str) and (e == ROOT or e.startswith(ROOT + '/'))]:
        del sys.path_importer_cache[entry]
    if ROOT not in sys.path:
        sys.path.append(ROOT)
