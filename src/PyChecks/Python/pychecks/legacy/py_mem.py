"""``get_mem_stats``: a summary of the Python objects alive in the process, by type.

The Agent builds it with ``pympler`` (which it ships); when ``pympler`` is installed this does the same.
Without it, the summary comes from the garbage collector's objects and ``sys.getsizeof``: the same shape,
``{type name: {'num': count, 'sz': bytes, 'entries': [[type repr, count, bytes], ...]}}``, counting the
objects the collector tracks (containers and instances; not small atomic values such as ``int`` or ``str``).
"""

import gc
import sys


def _rows_from_pympler():
    from pympler import tracker

    # The Agent counts count * size of each pympler row into 'sz' and keeps the row as it is: so here.
    return [(ref, n, size, n * size) for ref, n, size in tracker.SummaryTracker().create_summary()]


def _rows_from_gc():
    totals = {}
    for obj in gc.get_objects():
        cls = type(obj)
        try:
            size = sys.getsizeof(obj)
        except Exception:  # a broken __sizeof__ must not end the summary
            size = 0
        count, total = totals.get(cls, (0, 0))
        totals[cls] = (count + 1, total + size)
    return [(repr(cls) if cls.__module__ != 'builtins' else cls.__name__, n, total, total) for cls, (n, total) in totals.items()]


def get_mem_stats():
    """The summary described in the module, keyed by the first word of each type's repr."""
    try:
        rows = _rows_from_pympler()
    except ImportError:
        rows = _rows_from_gc()
    stats = {}
    for ref, n, size, added in rows:
        stat = stats.setdefault(ref.split(' ')[0], {'num': 0, 'sz': 0, 'entries': []})
        stat['num'] += n
        stat['sz'] += added
        stat['entries'].append([ref, n, size])
    return stats
