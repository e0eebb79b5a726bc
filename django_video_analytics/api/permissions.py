"""Who may call the API: the configured permission classes and the camera-queryset hook."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions

from ..conf import analytics_settings
from ..models import Camera


class DjangoModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions: reads need *view*, POST actions on existing rows *change*.

    DRF lets any authenticated user read; like the admin, reads here need the model's view
    permission. DRF maps every POST to *add*; starting a camera or marking events processed
    changes rows, so those actions ask for the change permission instead.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
    change_actions = {"start", "stop", "mark_processed"}

    def has_permission(self, request, view):
        if getattr(view, "action", None) not in self.change_actions:
            return super().has_permission(request, view)
        if not request.user or not request.user.is_authenticated:
            return False
        model = view.get_queryset().model
        return request.user.has_perms(self.get_required_permissions("PATCH", model))


def configured_permissions():
    """Instances of ``API_PERMISSION_CLASSES``."""
    return [permission() for permission in analytics_settings.API_PERMISSION_CLASSES]


class ConfiguredPermissionsMixin:
    """Permission classes come from ``API_PERMISSION_CLASSES``, read per request.

    The views also carry drf-spectacular's schema class, so ``schema/`` works in a host
    whose ``REST_FRAMEWORK`` has no (or another) ``DEFAULT_SCHEMA_CLASS``.
    """

    schema = AutoSchema()

    def get_permissions(self):
        return configured_permissions()


def visible_cameras(request, queryset):
    """``queryset`` of cameras limited by ``CAMERA_QUERYSET_HOOK(request, queryset)``."""
    hook = analytics_settings.CAMERA_QUERYSET_HOOK
    return queryset if hook is None else hook(request, queryset)


def visible_events(request, queryset):
    """``queryset`` of events limited to the cameras of ``visible_cameras``."""
    if analytics_settings.CAMERA_QUERYSET_HOOK is None:
        return queryset  # no hook, no subquery
    cameras = visible_cameras(request, Camera.objects.all())
    return queryset.filter(camera__in=cameras.values("pk"))
