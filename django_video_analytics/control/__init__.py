"""Camera start/stop backends, chosen by ``VIDEO_ANALYTICS['CAMERA_CONTROL_BACKEND']``."""

from ..conf import analytics_settings


class ControlError(Exception):
    """A backend could not apply a start or stop; the message is safe to show users."""


def get_control_backend():
    return analytics_settings.CAMERA_CONTROL_BACKEND()
