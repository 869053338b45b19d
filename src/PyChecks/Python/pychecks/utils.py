"""Small conversion helpers with the names and behaviour of ``datadog_checks.base``."""

_AFFIRMATIVE = frozenset(('yes', 'true', '1', 'y', 'on'))


def is_affirmative(value):
    """Interpret a configuration value as a boolean.

    Strings (and UTF-8 bytes) are true when they are one of ``yes``, ``true``,
    ``1``, ``y`` or ``on``, ignoring case; anything else is converted with ``bool``.
    """
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    if isinstance(value, str):
        return value.lower() in _AFFIRMATIVE
    return bool(value)


def ensure_bytes(s):
    """Return ``s`` encoded as UTF-8 when it is a ``str``, unchanged otherwise."""
    if isinstance(s, str):
        s = s.encode('utf-8')
    return s


def ensure_unicode(s):
    """Return ``s`` decoded from UTF-8 when it is ``bytes``, unchanged otherwise."""
    if isinstance(s, bytes):
        s = s.decode('utf-8')
    return s


# On Python 3 the native string type is ``str``; the alias keeps Datadog's name.
to_native_string = ensure_unicode
