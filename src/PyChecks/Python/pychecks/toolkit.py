"""Finding Datadog's real toolkit (``datadog_checks_base``), and saying why it cannot be imported.

The Agent's legacy modules (``checks``, ``utils.*``, ``config``) and the import aliases re-export
the real ``datadog_checks.base`` when it is installed, and pychecks' own code when it is not.
A third case needs care: the toolkit is installed but one of its dependencies is not (``binary``,
``pydantic``, ``yaml``, ...). Falling back to pychecks' ``AgentCheck`` then would hide the problem
and leave two ``AgentCheck`` classes in one process, and re-raising ``No module named 'binary'``
from an alias tells the user little. :func:`load_base` raises :class:`ToolkitImportError` instead,
which names the missing module and how to install it for the Python that runs the checks.
"""

import importlib
import importlib.machinery
import os
import sys

BASE = 'datadog_checks.base'

# Dependencies of datadog_checks_base whose import name is not their distribution name, and the
# Debian/Ubuntu package that provides them. Any other module is suggested under its own name.
_PACKAGES = {
    'binary': ('binary', None),
    'cachetools': ('cachetools', 'python3-cachetools'),
    'cryptography': ('cryptography', 'python3-cryptography'),
    'dateutil': ('python-dateutil', 'python3-dateutil'),
    'google': ('protobuf', 'python3-protobuf'),
    'jellyfish': ('jellyfish', 'python3-jellyfish'),
    'prometheus_client': ('prometheus-client', 'python3-prometheus-client'),
    'psutil': ('psutil', 'python3-psutil'),
    # Debian's python3-pydantic is pydantic 1 up to bookworm; the toolkit's config models need 2.
    'pydantic': ('pydantic>=2', None),
    'pydantic_core': ('pydantic>=2', None),
    'requests': ('requests', 'python3-requests'),
    'requests_toolbelt': ('requests-toolbelt', 'python3-requests-toolbelt'),
    'requests_unixsocket': ('requests-unixsocket2', 'python3-requests-unixsocket'),
    'simplejson': ('simplejson', 'python3-simplejson'),
    'six': ('six', 'python3-six'),
    'wrapt': ('wrapt', 'python3-wrapt'),
    'yaml': ('pyyaml', 'python3-yaml'),
}

# Windows-only modules: no install helps on another system.
_WINDOWS_ONLY = ('win32', 'pywintypes', 'pythoncom', 'winreg', '_winreg', 'wmi')


class ToolkitImportError(ModuleNotFoundError):
    """Datadog's ``datadog_checks.base`` is installed but cannot be imported.

    A ``ModuleNotFoundError`` (so ``except ImportError`` still catches it) whose ``name`` is the
    missing module, with a message that says how to install it. The original error is its ``__cause__``.
    """


def installed_location():
    """The folder of a real ``datadog_checks.base`` on ``sys.path``, or ``None`` when there is none.

    Only regular finders are asked (pychecks' alias is never a real toolkit).
    """
    loaded = sys.modules.get(BASE)
    if loaded is not None:
        if getattr(loaded, '__pychecks_alias__', False):
            return None
        return os.path.dirname(getattr(loaded, '__file__', '') or '') or None
    namespace = importlib.machinery.PathFinder.find_spec('datadog_checks', sys.path)
    if namespace is None or not namespace.submodule_search_locations:
        return None
    base = importlib.machinery.PathFinder.find_spec(BASE, list(namespace.submodule_search_locations))
    if base is None or not base.origin:
        return None
    return os.path.dirname(base.origin)


def _install_hint(missing):
    top = missing.partition('.')[0]
    if top.startswith(_WINDOWS_ONLY):
        return '{} exists only on Windows (pywin32); this part of the toolkit cannot run here.'.format(top)
    pip_name, apt_name = _PACKAGES.get(top, (top.replace('_', '-'), None))
    python = 'python{}.{}'.format(*sys.version_info[:2])
    hint = 'Install it for the Python that runs the checks ({} in {}): {} -m pip install "{}"'.format(
        python, sys.base_prefix, python, pip_name)
    if os.environ.get('VIRTUAL_ENV'):
        hint += ' (inside the virtual environment {})'.format(os.environ['VIRTUAL_ENV'])
    if apt_name is not None:
        hint += ', or on Debian/Ubuntu: apt install {}'.format(apt_name)
    return hint + '.'


def explain(error, location):
    """A :class:`ToolkitImportError` for ``error``, raised while importing the toolkit found in ``location``.

    Returns ``None`` for errors that are not about a missing or unsuitable module (a bug in the
    toolkit, say), which are better left as they are.
    """
    missing = getattr(error, 'name', None)
    if not isinstance(error, ImportError) or not missing:
        return None
    if isinstance(error, ModuleNotFoundError):
        message = ("Datadog's datadog_checks.base is installed ({}) but cannot be imported: it needs the module "
                   "'{}', which is not installed. {}").format(location, missing, _install_hint(missing))
    else:
        # An installed module without the name the toolkit imports: usually the wrong version (pydantic 1).
        message = ("Datadog's datadog_checks.base is installed ({}) but cannot be imported: {}. The installed '{}' "
                   "is probably not the version it needs. {}").format(
            location, error, missing, _install_hint(missing).replace('pip install', 'pip install --upgrade', 1))
    return ToolkitImportError(message, name=missing)


def load_base():
    """Import ``datadog_checks.base``: the real toolkit when installed, pychecks' alias otherwise.

    Raises :class:`ToolkitImportError` when the real toolkit is installed but fails to import.
    """
    try:
        return importlib.import_module(BASE)
    except ImportError as error:
        location = installed_location()
        friendly = explain(error, location) if location else None
        if friendly is None:
            raise
        raise friendly from error


def real_base():
    """The real ``datadog_checks.base`` module, or ``None`` when only pychecks' alias is available.

    Raises :class:`ToolkitImportError` when the real toolkit is installed but fails to import, so that
    a broken installation is reported instead of silently replaced by pychecks' own classes.
    """
    if installed_location() is None:
        return None
    return load_base()
