"""``utils.py_mem``: ``get_mem_stats``, a summary of the live Python objects by type (with pympler when installed)."""

from pychecks.legacy.py_mem import get_mem_stats
