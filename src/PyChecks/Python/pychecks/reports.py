"""What an AgentCheck reports besides metrics: tags of other hosts and event-platform events.

The same methods, argument handling and errors as Datadog's toolkit ``AgentCheck``.
"""

import aggregator
import datadog_agent

from .utils import to_native_string


class AgentReportsMixin(object):
    """``set_external_tags`` and ``database_monitoring_*``; mixed into :class:`pychecks.AgentCheck`."""

    def set_external_tags(self, external_tags):
        """Set tags of other hosts: ``[('hostname', {'source_type': ['tag:value', ...]}), ...]``.

        The tags of each source are normalized as metric tags are (bytes decoded, non-strings dropped).
        A malformed list raises (``TypeError``, or ``IndexError`` logged with the list).
        """
        try:
            new_tags = []
            for hostname, source_map in external_tags:
                new_tags.append((to_native_string(hostname), source_map))
                for src_name, tags in source_map.items():
                    source_map[src_name] = self._normalize_tags_type(tags)
            datadog_agent.set_external_tags(new_tags)
        except IndexError:
            self.log.exception('Unexpected external tags format: %s', external_tags)
            raise

    def _submit_event_platform_event(self, raw_event, event_type):
        if raw_event is None:
            return
        aggregator.submit_event_platform_event(self, self.check_id, to_native_string(raw_event), event_type)

    def database_monitoring_query_sample(self, raw_event):
        """Submit a Database Monitoring query sample (a JSON string) to the ``dbm-samples`` track; None is ignored."""
        self._submit_event_platform_event(raw_event, 'dbm-samples')

    def database_monitoring_query_metrics(self, raw_event):
        """Submit Database Monitoring query metrics (a JSON string) to the ``dbm-metrics`` track; None is ignored."""
        self._submit_event_platform_event(raw_event, 'dbm-metrics')

    def database_monitoring_query_activity(self, raw_event):
        """Submit Database Monitoring activity (a JSON string) to the ``dbm-activity`` track; None is ignored."""
        self._submit_event_platform_event(raw_event, 'dbm-activity')

    def database_monitoring_metadata(self, raw_event):
        """Submit Database Monitoring metadata (a JSON string) to the ``dbm-metadata`` track; None is ignored."""
        self._submit_event_platform_event(raw_event, 'dbm-metadata')
