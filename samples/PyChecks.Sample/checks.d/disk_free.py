import shutil

from datadog_checks.base import AgentCheck


class DiskFreeCheck(AgentCheck):
    """Reports free space of the configured paths, and whether it is above a threshold."""

    __NAMESPACE__ = 'sample.disk'

    def check(self, instance):
        path = instance.get('path', '/')
        usage = shutil.disk_usage(path)
        tags = ['path:' + path]
        free_ratio = usage.free / usage.total
        self.gauge('free_bytes', usage.free, tags=tags)
        self.gauge('free_ratio', free_ratio, tags=tags)
        minimum = float(self.init_config.get('min_free_ratio', 0.05))
        status = self.OK if free_ratio >= minimum else self.CRITICAL
        self.service_check('enough_space', status, tags=tags, message='' if status == self.OK else 'low on space')
        self.log.info('%s: %.1f%% free', path, free_ratio * 100)
