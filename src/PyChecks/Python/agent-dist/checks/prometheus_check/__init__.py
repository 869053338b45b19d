"""``checks.prometheus_check``: the legacy ``PrometheusCheck``, ``PrometheusFormat``, ``UnknownFormatError``."""

from pychecks.toolkit import real_base as _real_base

if _real_base() is not None:
    from datadog_checks.base.checks.prometheus import PrometheusCheck, PrometheusFormat, UnknownFormatError
else:
    from pychecks.legacy.prometheus import PrometheusCheck, PrometheusFormat, UnknownFormatError

del _real_base
