"""The OpenAPI 3 schema of this API alone, with paths as the host mounts it."""

from django.urls import include, path
from drf_spectacular import utils
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

SCHEMA_ROUTE = "schema/"


def extend_schema(**annotations):
    """drf-spectacular's ``extend_schema`` on a view method, based on its own ``AutoSchema``.

    The original bases a method's schema on the host's ``DEFAULT_SCHEMA_CLASS`` as it is at
    import time: DRF's own ``AutoSchema`` in a host that never set it, which then fails.
    """

    def decorate(method):
        method.kwargs = {**getattr(method, "kwargs", {}), "schema": AutoSchema}
        return utils.extend_schema(**annotations)(method)

    return decorate


class SchemaView(SpectacularAPIView):
    """Serves the schema of the package's URLs (not the whole host project) to signed-in users."""

    permission_classes = [IsAuthenticated]
    schema = None  # not part of the schema it serves
    urlconf_module = "django_video_analytics.urls"

    def get(self, request, *args, **kwargs):
        mount_point = request.path_info.removesuffix(SCHEMA_ROUTE).lstrip("/")
        self.patterns = [path(mount_point, include(self.urlconf_module))]
        return super().get(request, *args, **kwargs)
