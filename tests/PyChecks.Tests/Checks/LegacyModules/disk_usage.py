# A custom check in the style of many public ones: shells out with get_subprocess_output, Linux only.
from checks import AgentCheck, CheckException
from utils.platform import Platform
from utils.subprocess_output import SubprocessOutputEmptyError, get_subprocess_output


class DiskUsageCheck(AgentCheck):
    def check(self, instance):
        if not Platform.is_linux():
            raise CheckException('this check runs on Linux only')
        path = instance['path']
        out, err, retcode = get_subprocess_output(['df', '-P', '-k', path], self.log)
        if retcode != 0:
            raise CheckException('df failed: {}'.format(err))
        fields = out.splitlines()[1].split()
        tags = ['mount:{}'.format(fields[5])]
        self.gauge('custom.disk.total_kb', int(fields[1]), tags=tags)
        self.gauge('custom.disk.used_kb', int(fields[2]), tags=tags)
        self.gauge('custom.disk.subprocess_types', 1, tags=['out:' + type(out).__name__, 'err:' + type(err).__name__])

        out, _, retcode = get_subprocess_output('ls /nonexistent-pychecks-dir', self.log, raise_on_empty_output=False)
        self.gauge('custom.shell.retcode', retcode)
        out, _, _ = get_subprocess_output(['sh', '-c', 'echo $PROBE'], self.log, env={'PROBE': 'from-env'})
        self.gauge('custom.env.echoed', 1, tags=['value:' + out.strip()])
        try:
            get_subprocess_output(['true'], self.log)
        except SubprocessOutputEmptyError:
            self.gauge('custom.empty.raised', 1)
