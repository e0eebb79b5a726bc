"""Validators of the camera fields, on the model: the admin, the API and commands share them.

Error codes are never ``invalid``: a model field would swap its own message in for that code.
"""

import math
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import outbound
from .classes import detection_class_names
from .conf import analytics_settings
from .pipeline.anpr.formats import preset_names
from .pipeline.schemes import is_local_source

MAX_ROI_ZONES = 16
MAX_ZONE_POINTS = 64

# Schemes that run code or inline data in whatever shows the URL: never a camera.
FORBIDDEN_SCHEMES = {"javascript", "vbscript", "data"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def validate_stream_url(url):
    """A network stream in ``STREAM_URL_SCHEMES`` with a host, or a local source if allowed."""
    if not url:
        return
    if CONTROL_CHARACTERS.search(url):
        raise ValidationError(
            _("Control characters (such as CR or LF) are not allowed in a URL."),
            code="control_characters",
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port outside 0..65535
    except ValueError as exc:
        raise ValidationError(
            _("Enter a valid URL: a port in 0..65535, an IPv6 host in [brackets]."),
            code="bad_url",
        ) from exc
    scheme = parts.scheme.lower()
    if scheme in FORBIDDEN_SCHEMES:
        raise ValidationError(_("Scheme %(scheme)r is never a stream."), params={"scheme": scheme})
    if is_local_source(url):
        if not analytics_settings.ALLOW_LOCAL_SOURCES:
            raise ValidationError(
                _(
                    "Local files and device indexes are not allowed as stream sources; "
                    "set ALLOW_LOCAL_SOURCES to allow them."
                ),
                code="local_source",
            )
        return
    schemes = [allowed.lower() for allowed in analytics_settings.STREAM_URL_SCHEMES]
    if scheme not in schemes:
        raise ValidationError(
            _("Scheme %(scheme)r is not allowed; use one of: %(allowed)s (STREAM_URL_SCHEMES)."),
            params={"scheme": parts.scheme, "allowed": ", ".join(schemes)},
            code="scheme",
        )
    if not parts.hostname:
        raise ValidationError(_("The URL has no host."), code="no_host")


def validate_webhook_url(url):
    """A receiver URL the outbound policy allows; checked again at each delivery."""
    if not url:
        return
    try:
        outbound.validate_url(url)
    except outbound.OutboundBlocked as exc:
        raise ValidationError(str(exc), code="blocked") from exc


def validate_detection_classes(value):
    """A list of names from the class vocabulary (``DETECTION_CLASS_NAMES`` or COCO)."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError(_("Expected a list of class names."), code="not_a_list")
    known = detection_class_names()
    if len(value) > len(known):
        raise ValidationError(
            _("At most %(limit)d class names."), params={"limit": len(known)}, code="too_many"
        )
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValidationError(
            _("Unknown class names: %(names)s."),
            params={"names": ", ".join(unknown)},
            code="unknown_class",
        )


def validate_roi_zones(value):
    """Up to ``MAX_ROI_ZONES`` polygons of 3 to ``MAX_ZONE_POINTS`` [x, y] points in 0..1."""
    if not isinstance(value, list):
        raise ValidationError(_("Expected a list of zones (lists of [x, y] points)."))
    if len(value) > MAX_ROI_ZONES:
        raise ValidationError(_("At most %(limit)d zones."), params={"limit": MAX_ROI_ZONES})
    for number, zone in enumerate(value, 1):
        if not isinstance(zone, list) or not 3 <= len(zone) <= MAX_ZONE_POINTS:
            raise ValidationError(
                _("Zone %(zone)d must be a list of at least 3 and at most %(limit)d points."),
                params={"zone": number, "limit": MAX_ZONE_POINTS},
            )
        for point in zone:
            if not isinstance(point, list) or len(point) != 2 or not all(map(is_number, point)):
                raise ValidationError(
                    _("Zone %(zone)d: a point is an [x, y] pair, no more than 2 numbers."),
                    params={"zone": number},
                )
            if not all(0 <= coordinate <= 1 for coordinate in point):
                raise ValidationError(
                    _(
                        "Zone %(zone)d: coordinates must be greater than or equal to 0 "
                        "and less than or equal to 1."
                    ),
                    params={"zone": number},
                )


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate_plate_format(value):
    """A preset name or a regular expression that compiles (the length is the field's)."""
    if not value or value in preset_names():
        return
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(
            _("%(value)r is no preset (%(presets)s) and no valid regular expression: %(error)s."),
            params={"value": value, "presets": ", ".join(preset_names()), "error": exc},
            code="bad_regex",
        ) from exc
