"""``utils``: the Agent's package of legacy helpers for checks (``platform``, ``subprocess_output``, ...)."""
