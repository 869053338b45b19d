"""Gives the host its working directory back after a check changed it. Installed by the host.

The working directory belongs to the process, so a check's ``os.chdir`` would change it for the host and every other
check for good. ``os.chdir`` and ``os.fchdir`` are wrapped: the first call records the directory it leaves, and at
the end of every entry from the host into a check's code (see :mod:`pychecks._entry`) that directory is made current
again. A run that never changes directory pays one global lookup, not a ``getcwd`` call.

A check may still change directory within its run (other threads see it meanwhile, as they would anyway); absolute
paths are the better way. Changes made by C code (``ctypes``, C extensions) are not seen.
"""

import functools
import logging
import os

import posix

#: The working directory before a check first changed it since the last restore; None while unchanged.
saved = None

_original_chdir = None


def _wrap(original):
    @functools.wraps(original)
    def chdir(*args, **kwargs):
        global saved
        if saved is None:
            try:
                saved = os.getcwd()
            except OSError:
                pass  # the current directory is gone: there is nothing to go back to
        return original(*args, **kwargs)

    chdir.__pychecks_original__ = original
    return chdir


def install():
    """Wraps os.chdir and os.fchdir (and posix's); a second call does nothing."""
    global _original_chdir
    if _original_chdir is not None:
        return
    _original_chdir = os.chdir
    for name in ('chdir', 'fchdir'):
        original = getattr(os, name, None)
        if original is None:
            continue
        wrapped = _wrap(original)
        for module in (os, posix):
            if getattr(module, name, None) is original:
                setattr(module, name, wrapped)


def restore():
    """Makes the recorded directory current again, if a check changed it; a failure is logged, not raised."""
    global saved
    directory, saved = saved, None
    if directory is None:
        return
    try:
        if os.getcwd() == directory:
            return
    except OSError:
        pass
    try:
        _original_chdir(directory)
    except OSError as e:
        logging.getLogger('pychecks').warning(
            'A check changed the working directory and it could not be restored to %s: %s', directory, e)
