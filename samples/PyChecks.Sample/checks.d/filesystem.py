"""Space and inodes of the configured mount points, read with os.statvfs (what `df` shows)."""
import os

try:
    from datadog_checks.base import AgentCheck
except ImportError:
    from checks import AgentCheck

__version__ = '1.0.0'


class FilesystemCheck(AgentCheck):
    __NAMESPACE__ = 'sample.fs'

    def check(self, instance):
        path = instance.get('path', '/')
        tags = ['path:' + path]
        try:
            st = os.statvfs(path)
        except OSError as e:
            self.service_check('space', self.CRITICAL, tags=tags, message=str(e))
            raise

        total = st.f_blocks * st.f_frsize
        used = (st.f_blocks - st.f_bfree) * st.f_frsize
        free = st.f_bavail * st.f_frsize  # what an unprivileged process can still write
        # Like df's Use%: the blocks reserved for root count neither as used nor as available.
        used_pct = 100.0 * used / (used + free) if used + free else 0.0
        self.gauge('total_bytes', total, tags=tags)
        self.gauge('used_bytes', used, tags=tags)
        self.gauge('free_bytes', free, tags=tags)
        self.gauge('used_pct', used_pct, tags=tags)
        if st.f_files:  # some filesystems (btrfs, vfat) report no inodes
            self.gauge('inodes_used_pct', 100.0 * (st.f_files - st.f_ffree) / st.f_files, tags=tags)

        warning = float(self.init_config.get('used_pct_warning', 90))
        critical = float(self.init_config.get('used_pct_critical', 95))
        if used_pct >= critical:
            self.service_check('space', self.CRITICAL, tags=tags, message='%.1f%% used' % used_pct)
        elif used_pct >= warning:
            self.service_check('space', self.WARNING, tags=tags, message='%.1f%% used' % used_pct)
        else:
            self.service_check('space', self.OK, tags=tags)
        self.log.debug('%s: %.1f%% used of %d bytes', path, used_pct, total)
