"""``checks.libs.wmi``: the Agent's WMI helpers; the modules below it work on Windows only."""
