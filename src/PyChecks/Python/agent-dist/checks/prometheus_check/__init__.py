"""``checks.prometheus_check``: the legacy ``PrometheusCheck``, ``PrometheusFormat``, ``UnknownFormatError``.

They come from Datadog's toolkit, as in the Agent; pychecks has no version of its own of this scraper
(OpenMetrics checks are better written on the toolkit's ``OpenMetricsBaseCheckV2``), so without the
toolkit importing this module says what to install.
"""

from pychecks.toolkit import real_base as _real_base

if _real_base() is None:
    raise ModuleNotFoundError(
        "checks.prometheus_check needs Datadog's toolkit, which is not installed: "
        "pip install datadog-checks-base (with its dependencies) for the Python that runs the checks",
        name='datadog_checks.base')

from datadog_checks.base.checks.prometheus import PrometheusCheck, PrometheusFormat, UnknownFormatError  # noqa: E402

del _real_base
