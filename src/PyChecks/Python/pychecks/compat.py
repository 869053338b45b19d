"""Import aliases that let unmodified Datadog custom checks find ``AgentCheck``.

Checks written for the Datadog Agent start with one of::

    from datadog_checks.base import AgentCheck
    from datadog_checks.base.checks import AgentCheck
    from datadog_checks.checks import AgentCheck      # older checks
    from checks import AgentCheck                      # Agent 5 checks

``checks`` is one of the Agent's legacy modules, served by :mod:`pychecks.agent_dist` with
``utils.*`` and ``config``; it re-exports whatever ``datadog_checks.base`` turns out to be.
:func:`install_aliases` makes the other names resolve to pychecks' classes when the
real modules cannot be found (when only ``datadog_checks.base`` is real, the
other spellings re-export it, so one AgentCheck serves them all). The finder sits at the end of ``sys.meta_path``,
so every regular finder is asked first: an installed ``datadog_checks_base``
(or a real ``checks`` module) always wins, and a real ``datadog_checks``
namespace package without ``base`` only gets the missing submodules served.
"""

import importlib.abc
import importlib.util
import sys

#: Every name the finder may serve; any other import is left to fail normally.
ALIASED_MODULES = (
    'datadog_checks',
    'datadog_checks.base',
    'datadog_checks.base.checks',
    'datadog_checks.checks',
)

# The names exported next to AgentCheck, as datadog_checks.base does.
_EXPORTS = ('AgentCheck', 'ConfigurationError', 'is_affirmative', 'ensure_bytes', 'ensure_unicode',
            'to_native_string')

_ORIGIN = 'pychecks alias'


class _AliasLoader(importlib.abc.Loader):
    """Fills an alias module with the check API."""

    def create_module(self, spec):
        """Use the default module creation."""
        return None

    def exec_module(self, module):
        """Populate ``module``.

        ``datadog_checks.base`` gets pychecks' API. The other names re-export
        whatever ``datadog_checks.base`` turns out to be, so that a real
        ``datadog_checks_base``, when installed, is the one AgentCheck in the
        process whichever spelling a check imports. ``datadog_checks`` itself
        stays empty, like the real namespace package.
        """
        # Marks the module so that tools (the host's check loader among them)
        # can tell an alias from a check module of the same name.
        module.__pychecks_alias__ = True
        name = module.__name__
        if name == 'datadog_checks':
            return
        if name == 'datadog_checks.base':
            from . import checks, errors, utils

            source = {
                'AgentCheck': checks.AgentCheck,
                'ConfigurationError': errors.ConfigurationError,
                'is_affirmative': utils.is_affirmative,
                'ensure_bytes': utils.ensure_bytes,
                'ensure_unicode': utils.ensure_unicode,
                'to_native_string': utils.to_native_string,
            }
        else:
            # A real datadog_checks.base that fails to import is reported with what is missing and how to
            # install it (pychecks.toolkit), instead of as a failure of this alias.
            from .toolkit import load_base

            base = load_base()
            source = {key: getattr(base, key) for key in _EXPORTS if hasattr(base, key)}
        for key, value in source.items():
            setattr(module, key, value)


class AliasFinder(importlib.abc.MetaPathFinder):
    """Serves the names in :data:`ALIASED_MODULES` that no other finder found.

    Each alias is a package with an empty ``__path__``, so importing anything
    below it that is not itself an alias (``datadog_checks.hello``, say) raises
    ``ModuleNotFoundError`` as it would without the aliases.
    """

    _loader = _AliasLoader()

    def find_spec(self, fullname, path=None, target=None):
        """Return a spec for an aliased name, ``None`` for everything else."""
        if fullname not in ALIASED_MODULES:
            return None
        spec = importlib.util.spec_from_loader(fullname, self._loader, origin=_ORIGIN, is_package=True)
        spec.has_location = False
        return spec


def install_aliases():
    """Append an :class:`AliasFinder` to ``sys.meta_path`` unless one is there already.

    Returns the finder in use. Modules already imported are not touched.
    """
    for finder in sys.meta_path:
        # Match by name, not by class, so that a reloaded pychecks does not add a second finder.
        if type(finder).__name__ == AliasFinder.__name__ and getattr(finder, '_pychecks', False):
            return finder
    finder = AliasFinder()
    finder._pychecks = True
    sys.meta_path.append(finder)
    return finder
