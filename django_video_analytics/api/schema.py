"""The OpenAPI 3 schema of this API alone, with paths as the host mounts it."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

SCHEMA_ROUTE = "schema/"


class SchemaView(SpectacularAPIView):
    """Serves the schema of ``api_patterns`` (not the whole host project) to signed-in users."""

    permission_classes = [IsAuthenticated]
    api_patterns = ()

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        mount_point = request.path_info.removesuffix(SCHEMA_ROUTE).lstrip("/")
        self.patterns = [path(mount_point, include(list(self.api_patterns)))]
        return super().get(request, *args, **kwargs)
