"""Hashing of mutable structures (dicts, lists, sets), as Datadog's toolkit does it for caches and de-duplication."""


class _Sortable(object):
    """Orders values of different types the way the toolkit does on Python 3: ``None`` first, other mixes raise."""

    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        try:
            return self.value < other.value
        except TypeError:
            if self.value is None:
                return True
            if other.value is None:
                return False
            raise


def _pair_key(item):
    return _Sortable(item[0]), _Sortable(item[1])


def freeze(value):
    """A hashable, order-independent copy of ``value``: lists, tuples, sets and dicts become sorted tuples, recursively."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(sorted((freeze(e) for e in value), key=_Sortable))
    if isinstance(value, dict):
        return tuple(sorted(((k, freeze(v)) for k, v in value.items()), key=_pair_key))
    return value


def hash_mutable(value):
    """The hash of :func:`freeze` (``value``): equal for structures equal up to order."""
    return hash(freeze(value))


def iter_unique(*iterables):
    """Yield the items of ``iterables`` in order, leaving out those equal (by :func:`hash_mutable`) to one seen before."""
    seen = set()
    for iterable in iterables:
        for item in iterable:
            key = hash_mutable(item)
            if key not in seen:
                seen.add(key)
                yield item
