# A legacy TCP port check in the style of Agent 5 custom checks: NetworkCheck with _check returning (status, message).
import socket
import time

from checks.network_checks import NetworkCheck, Status
from config import _is_affirmative


class PortCheck(NetworkCheck):
    SOURCE_TYPE_NAME = 'system'

    def _check(self, instance):
        host = instance.get('host', '127.0.0.1')
        port = int(instance['port'])
        timeout = float(instance.get('timeout', 2))
        start = time.time()
        try:
            sock = socket.create_connection((host, port), timeout)
            sock.close()
        except socket.error as e:
            return Status.DOWN, 'connection to {}:{} failed: {}'.format(host, port, e)
        if _is_affirmative(instance.get('collect_response_time', 'yes')):
            self.gauge('network.tcp.response_time', time.time() - start, tags=['port:{}'.format(port)])
        return Status.UP, 'UP'

    def report_as_service_check(self, sc_name, status, instance, msg=None):
        tags = ['port:{}'.format(instance['port'])]
        self.service_check('tcp.can_connect', NetworkCheck.STATUS_TO_SERVICE_CHECK[status], tags=tags,
                           message=msg if status != Status.UP else None)
