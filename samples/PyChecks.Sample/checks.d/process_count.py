"""Processes and threads by state, read from /proc; optionally, how many processes match a search string."""
import os

try:
    from datadog_checks.base import AgentCheck
except ImportError:
    from checks import AgentCheck

__version__ = '1.0.0'

# The state letter of /proc/<pid>/stat, as proc(5) names it.
STATES = {
    'R': 'running',
    'S': 'sleeping',
    'D': 'disk_sleep',
    'Z': 'zombie',
    'T': 'stopped',
    't': 'tracing_stop',
    'I': 'idle',
}


class ProcessCountCheck(AgentCheck):
    __NAMESPACE__ = 'sample.proc'

    def check(self, instance):
        proc = instance.get('procfs_path', '/proc')
        search = instance.get('search_string')
        by_state = dict.fromkeys(STATES.values(), 0)
        total = threads = matching = 0

        for pid in os.listdir(proc):
            if not pid.isdigit():
                continue
            try:
                with open(os.path.join(proc, pid, 'stat'), 'rb') as f:
                    stat = f.read().decode('utf-8', 'replace')
                cmdline = None
                if search:
                    with open(os.path.join(proc, pid, 'cmdline'), 'rb') as f:
                        cmdline = f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue  # the process ended while we looked, or is not ours to read

            # The name sits in parentheses and may itself hold spaces or ')': the fields follow the last ')'.
            fields = stat[stat.rindex(')') + 2:].split()
            total += 1
            state = STATES.get(fields[0])
            if state:
                by_state[state] += 1
            threads += int(fields[17])  # field 20, num_threads
            if search and search in cmdline:
                matching += 1

        if not search:
            self.gauge('total', total)
            self.gauge('threads', threads)
            for state, count in by_state.items():
                self.gauge('by_state', count, tags=['state:' + state])
            return

        tags = ['search:' + search]
        minimum = int(instance.get('min_count', 1))
        self.gauge('matching', matching, tags=tags)
        if matching >= minimum:
            self.service_check('up', self.OK, tags=tags)
        else:
            self.service_check('up', self.CRITICAL, tags=tags,
                               message='%d processes match %r, expected at least %d' % (matching, search, minimum))
