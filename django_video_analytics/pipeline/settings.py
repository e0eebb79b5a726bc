"""The package settings as the analysis code sees them: Django's when configured, else defaults.

The pipeline runs inside workers (Django configured) and in plain scripts and benchmarks
(not configured); backends read their settings through ``setting(name)`` either way.
"""


def setting(name):
    """``analytics_settings.<name>`` inside a configured Django, else its default."""
    from django.conf import settings

    from ..conf import DEFAULTS

    if not settings.configured:
        return DEFAULTS[name]
    from ..conf import analytics_settings

    return getattr(analytics_settings, name)
