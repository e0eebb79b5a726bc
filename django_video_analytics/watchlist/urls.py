"""Routes of this wing; included by django_video_analytics.urls."""

from rest_framework.routers import SimpleRouter

from .api import PlateAlertViewSet, WatchlistEntryViewSet

router = SimpleRouter()
router.register("watchlist", WatchlistEntryViewSet, basename="watchlist-entry")
router.register("alerts", PlateAlertViewSet, basename="plate-alert")

urlpatterns = router.urls
