"""pychecks' own versions of what the Agent's legacy modules (``utils.*``, ``checks.*``, ``config``) export.

They serve when Datadog's toolkit (``datadog_checks_base``) is not installed, and behave like the
toolkit's (and, for ``get_subprocess_output``, like the Agent's native implementation). Checks import
them under the Agent's names, never from here.
"""
