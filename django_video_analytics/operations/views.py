"""The Prometheus metrics view for the host's URLconf, behind ``METRICS_PERMISSION_CLASSES``."""

from django.http import HttpResponse
from rest_framework.views import APIView

from ..conf import analytics_settings


class MetricsView(APIView):
    """The package's series in Prometheus' text format.

    Authentication is the project's DRF default (a token header works for a scraper);
    the permission classes come from ``METRICS_PERMISSION_CLASSES`` (staff by default).
    """

    schema = None  # not part of the REST API's schema

    def get_permissions(self):
        return [permission() for permission in analytics_settings.METRICS_PERMISSION_CLASSES]

    def perform_content_negotiation(self, request, force=False):
        # Scrapers ask for text/plain or OpenMetrics; errors still render with a default.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        from ..metrics import registry

        return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
