"""``checks.libs``: the Agent's package of check libraries (only ``wmi``, for Windows)."""
