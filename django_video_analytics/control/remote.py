"""Remote control: the analytics service of SPEC.md over HTTP, with the stdlib's urllib.

Register is ``POST /api/cameras`` with a JSON list of camera configs, stop is
``DELETE /api/cameras/{camera_id}``, health is ``GET /api/health``. Timeouts, connection
errors and 5xx answers are retried with exponential back-off; 4xx answers are not.
"""

import json
import logging
import time
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

from .. import outbound
from ..conf import analytics_settings
from ..masking import mask_url, mask_urls_in
from ..models import Camera
from . import ControlError

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500


def camera_config(camera):
    """The service's camera config (SPEC.md), plus ``substream_url`` when the camera has one.

    It carries the real stream URLs, so it is never logged.
    """
    config = {
        "camera_id": camera.camera_id,
        "status": camera.status,
        "stream_url": camera.stream_url,
        "parameters": {
            "detection_classes": camera.detection_classes,
            "confidence_threshold": camera.confidence_threshold,
            "roi_zones": camera.roi_zones,
            "enable_motion_detection": camera.enable_motion_detection,
            "enable_object_detection": camera.enable_object_detection,
            "enable_anpr": camera.enable_anpr,
            "motion_threshold": camera.motion_threshold,
            "frame_skip": camera.frame_skip,
            "max_fps": camera.max_fps,
        },
    }
    if camera.substream_url:
        config["substream_url"] = camera.substream_url  # analysed instead of stream_url
    return config


class RemoteControlBackend:
    def __init__(self, base_url=None, timeout=None, retries=None, backoff_seconds=None):
        settings = analytics_settings
        self.base_url = base_url or settings.ANALYTICS_SERVICE_URL
        self.timeout = settings.ANALYTICS_SERVICE_TIMEOUT if timeout is None else timeout
        self.retries = settings.ANALYTICS_SERVICE_RETRIES if retries is None else retries
        self.backoff_seconds = (
            settings.ANALYTICS_SERVICE_BACKOFF if backoff_seconds is None else backoff_seconds
        )

    def start(self, camera):
        with failures_marked(camera):
            self.request("POST", "/api/cameras", [camera_config(camera)])
        camera.enabled = True
        camera.status = Camera.Status.ACTIVE
        camera.last_error = ""
        camera.save(update_fields=["enabled", "status", "last_error", "updated_at"])

    def stop(self, camera):
        with failures_marked(camera):
            try:
                self.request("DELETE", f"/api/cameras/{quote(camera.camera_id, safe='')}")
            except ServiceAnswered as exc:
                if exc.status != 404:  # a camera the service does not know is stopped
                    raise
        camera.enabled = False
        camera.status = Camera.Status.INACTIVE
        camera.last_error = ""
        camera.save(update_fields=["enabled", "status", "last_error", "updated_at"])

    def health(self):
        return self.request("GET", "/api/health")

    def request(self, method, path, payload=None):
        """Send one call, retried on transient failures; return the decoded JSON answer."""
        if not self.base_url:
            raise ControlError("ANALYTICS_SERVICE_URL is not set.")
        if not _is_http_url(self.base_url):
            raise ControlError(
                f"ANALYTICS_SERVICE_URL is not a valid URL: {mask_url(self.base_url)}"
            )
        url = self.base_url.rstrip("/") + path
        body = None if payload is None else json.dumps(payload).encode()
        for attempt in range(self.retries + 1):
            try:
                return self._send(method, url, body)
            except ControlError as exc:
                transient = not isinstance(exc, ServiceAnswered) or exc.status >= 500
                if not transient or attempt == self.retries:
                    raise
                delay = self.backoff_seconds * 2**attempt
                logger.warning(
                    "%s %s failed (%s); retry %d/%d in %.1fs",
                    method,
                    mask_url(url),
                    exc,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                time.sleep(delay)

    def _send(self, method, url, body):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        # ANALYTICS_SERVICE_URL is the operator's own configuration, not user input, and the
        # service usually runs on the LAN or the same host: the address policy is off.
        try:
            response = outbound.request(
                method, url, body=body, headers=headers, timeout=self.timeout, enforce_policy=False
            )
        except outbound.OutboundTimeout:
            raise ControlError(
                f"The analytics service did not answer within {self.timeout} s."
            ) from None
        except outbound.OutboundError as exc:
            raise ControlError(
                mask_urls_in(f"The analytics service is unreachable: {exc.detail}")
            ) from None
        if response.status >= 300:
            raise ServiceAnswered(response.status, _error_detail(response.body))
        logger.info("%s %s: OK", method, mask_url(url))
        return _decoded(response.body)


class ServiceAnswered(ControlError):
    """The service answered with an HTTP error status."""

    def __init__(self, status, detail):
        self.status = status
        super().__init__(f"The analytics service answered {status}: {detail}")


@contextmanager
def failures_marked(camera):
    """A ControlError inside the block marks ``camera`` as ``error`` with ``last_error``."""
    try:
        yield
    except ControlError as exc:
        camera.status = Camera.Status.ERROR
        camera.last_error = str(exc)
        camera.save(update_fields=["status", "last_error", "updated_at"])
        raise


def _is_http_url(url):
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _decoded(content):
    """A success answer's JSON, or its text when it is not JSON (the call still succeeded)."""
    text = content.decode("utf-8", "replace").strip()
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _error_detail(content):
    """The service's error message: ``error``/``detail``/``message`` of a JSON body, or text."""
    text = content.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "detail", "message"):
            if data.get(key):
                text = str(data[key])
                break
    return mask_urls_in(text)[:MAX_ERROR_CHARS] or "no details"  # masked before it is cut
