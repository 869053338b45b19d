"""Fetches a URL with the standard library's urllib: response time, status code, and a service check."""
import time
import urllib.error
import urllib.request

try:
    from datadog_checks.base import AgentCheck, ConfigurationError
except ImportError:
    from checks import AgentCheck, ConfigurationError

__version__ = '1.0.0'


class HttpProbeCheck(AgentCheck):
    __NAMESPACE__ = 'sample.http'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_status = None

    def check(self, instance):
        url = instance.get('url')
        if not url:
            raise ConfigurationError('the instance needs a url')
        timeout = float(instance.get('timeout', 5))
        content_match = instance.get('content_match')
        # A loopback URL must not go through the proxy of http_proxy/https_proxy.
        handlers = [urllib.request.ProxyHandler({})] if instance.get('skip_proxy') else []
        opener = urllib.request.build_opener(*handlers)
        tags = ['url:' + url]

        start = time.monotonic()
        try:
            with opener.open(url, timeout=timeout) as response:
                code, body = response.status, response.read()
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            self._report(self.CRITICAL, tags, 'cannot connect: %s' % getattr(e, 'reason', e))
            return
        elapsed = time.monotonic() - start

        self.gauge('response_time', elapsed, tags=tags)
        self.gauge('status_code', code, tags=tags)
        self.gauge('content_length', len(body), tags=tags)
        if code >= 400:
            self._report(self.CRITICAL, tags, 'HTTP %d' % code)
        elif content_match and content_match not in body.decode('utf-8', 'replace'):
            self._report(self.CRITICAL, tags, 'the content does not match %r' % content_match)
        else:
            self._report(self.OK, tags, None)

    def _report(self, status, tags, message):
        self.service_check('can_connect', status, tags=tags, message=message)
        # An event when the status changes (not on the first run).
        if self._last_status is not None and status != self._last_status:
            up = status == self.OK
            self.event({
                'msg_title': '%s is %s' % (self.instance['url'], 'up' if up else 'down'),
                'msg_text': message or 'HTTP check passed',
                'alert_type': 'success' if up else 'error',
                'source_type_name': 'http_probe',
                'tags': tags,
            })
        self._last_status = status
