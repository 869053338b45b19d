"""``Platform``: which operating system the check runs on, with the predicates of Datadog's toolkit."""

import os
import platform as _platform
import sys


def get_os():
    """A short name for the operating system: ``linux``, ``mac``, ``windows``, ``freebsd``, ``solaris``, or ``sys.platform``."""
    name = sys.platform
    if name == 'darwin':
        return 'mac'
    for fragment, short in (('freebsd', 'freebsd'), ('linux', 'linux'), ('win32', 'windows'), ('sunos', 'solaris')):
        if fragment in name:
            return short
    return name


class Platform(object):
    """Predicates on the platform. Each takes an optional ``sys.platform``-style name to test instead of this one.

    As in the toolkit, ``is_linux``, ``is_darwin`` and ``is_win32`` also answer from ``platform.system()``
    when no name is given, and the container predicates read the environment.
    """

    @staticmethod
    def is_darwin(name=None):
        """macOS."""
        name = name or sys.platform
        return _platform.system() == 'Darwin' or 'darwin' in name

    @staticmethod
    def is_mac(name=None):
        """macOS (same as :meth:`is_darwin`)."""
        return Platform.is_darwin(name)

    @staticmethod
    def is_freebsd(name=None):
        """FreeBSD."""
        return (name or sys.platform).startswith('freebsd')

    @staticmethod
    def is_linux(name=None):
        """Linux."""
        name = name or sys.platform
        return _platform.system() == 'Linux' or 'linux' in name

    @staticmethod
    def is_bsd(name=None):
        """A BSD: macOS or FreeBSD."""
        name = name or sys.platform
        return Platform.is_darwin(name) or Platform.is_freebsd(name)

    @staticmethod
    def is_solaris(name=None):
        """Solaris."""
        return (name or sys.platform) == 'sunos5'

    @staticmethod
    def is_unix(name=None):
        """A Unix: macOS, Linux or FreeBSD."""
        name = name or sys.platform
        return Platform.is_darwin(name) or Platform.is_linux(name) or Platform.is_freebsd(name)

    @staticmethod
    def is_win32(name=None):
        """Windows."""
        name = name or sys.platform
        return _platform.system() == 'Windows' or name == 'win32'

    @staticmethod
    def is_windows(name=None):
        """Windows (same as :meth:`is_win32`)."""
        return Platform.is_win32(name)

    @staticmethod
    def python_architecture():
        """``'64bit'`` or ``'32bit'``, from the interpreter's word size."""
        return '64bit' if sys.maxsize > 2 ** 32 else '32bit'

    @staticmethod
    def is_containerized():
        """True when the Agent's container image said so (``DOCKER_DD_AGENT`` is set)."""
        return 'DOCKER_DD_AGENT' in os.environ

    @staticmethod
    def is_k8s():
        """True in a Kubernetes pod (``KUBERNETES_PORT`` is set)."""
        return 'KUBERNETES_PORT' in os.environ

    @staticmethod
    def is_ecs_instance():
        """Not answerable without the Agent's Docker utilities, as in the toolkit, which imports a module the Agent no longer ships."""
        raise ModuleNotFoundError("No module named 'utils.dockerutil'", name='utils.dockerutil')
