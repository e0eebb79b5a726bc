from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoAnalyticsConfig(AppConfig):
    name = "django_video_analytics"
    label = "django_video_analytics"
    verbose_name = _("Video analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the system checks; nothing heavy is imported here.
        from . import checks  # noqa: F401
        from .watchlist import receivers  # noqa: F401  (plate alerts on events_stored)
        from .widgets import cache  # noqa: F401  (connects the events_stored receiver)
        from .zone_alerts import raise_zone_alerts  # noqa: F401  (zone_alert on events_stored)
