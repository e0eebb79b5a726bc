"""Frame sources: RTSP/HTTP streams and, when allowed, video files and local capture devices.

``open_source(url)`` is the default ``FRAME_SOURCE``. A live source decodes in its own
thread and hands the analysis only fresh frames, so a slow analysis never falls behind the
camera: every frame is decoded (``grab``: a video stream cannot skip), but only one that a
waiting analysis takes, at most ``max_fps`` a second, is converted to a BGR image
(``retrieve``, the costly part after decoding); the others are counted as ``dropped``. It
reconnects with exponential back-off and jitter and reports why in ``last_error``. A file
source is read frame by frame, never dropping any.
"""

import logging
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import cv2

from ..backoff import Backoff
from ..masking import mask_url
from .schemes import DEVICE_SCHEME, LIVE_SCHEMES, is_local_source
from .types import Frame

logger = logging.getLogger(__name__)


class SourceError(Exception):
    """A source cannot be opened at all (unsupported URL, missing file, device refused)."""


def open_source(url, *, allow_local=False, backoff_max=30.0, pace=False, max_fps=None):
    """Open ``url``: a stream URL, or with ``allow_local`` a file path, ``file://`` URL or device.

    Device indexes are ``0`` or ``device:0``. ``pace`` (or a ``file://...?live=1`` URL) plays
    a file at its own frame rate, like a live camera. ``max_fps``: most frames per second a
    live source hands out (None: every frame the analysis can take). The worker passes
    ``allow_local`` from ``ALLOW_LOCAL_SOURCES``; this module never reads settings.
    """
    url = str(url).strip()
    if not url:
        raise SourceError("the camera has no stream URL")
    quiet_opencv()
    scheme = urlsplit(url).scheme.lower()
    if scheme in LIVE_SCHEMES:
        return LiveSource(url, backoff_max=backoff_max, max_fps=max_fps)
    if not is_local_source(url):
        raise SourceError(f"unsupported stream URL scheme {scheme!r} in {mask_url(url)}")
    if not allow_local:
        raise SourceError(
            f"local file or device {mask_url(url)!r} refused: set ALLOW_LOCAL_SOURCES to allow it"
        )
    if url.isdigit() or scheme == DEVICE_SCHEME:
        device = int(url.removeprefix(f"{DEVICE_SCHEME}:"))
        return LiveSource(device, backoff_max=backoff_max, max_fps=max_fps)
    if scheme == "file":
        parts = urlsplit(url)
        live = parse_qs(parts.query).get("live") == ["1"]
        return FileSource(Path(unquote(parts.path)), pace=pace or live)
    return FileSource(Path(url), pace=pace)


def quiet_opencv():
    """Keep OpenCV and FFmpeg from writing to stderr; failures are reported by the source."""
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


def utc_now():
    return datetime.now(timezone.utc)


class FrameSource:
    """Iterable of ``Frame``s; ``read(timeout)`` gives the next one or None."""

    is_live = False
    last_error = None  # why no frames arrive right now (credentials masked), or None
    exhausted = False  # no frame will ever come again (end of file, or closed)

    def read(self, timeout=None):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    def __iter__(self):
        while not self.exhausted:
            frame = self.read(timeout=1.0)
            if frame is not None:
                yield frame

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class FileSource(FrameSource):
    """A video file read sequentially; frame timestamps are video time from the opening."""

    def __init__(self, path, *, pace=False):
        if not path.is_file():
            raise SourceError(f"no such video file: {path}")
        self.capture = cv2.VideoCapture(str(path))
        if not self.capture.isOpened():
            raise SourceError(f"cannot decode video file: {path}")
        self.path = path
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or 25.0
        self.frame_count = int(self.capture.get(cv2.CAP_PROP_FRAME_COUNT)) or None
        self.pace = pace
        self.started_at = utc_now()
        self.started_clock = time.monotonic()
        self.next_index = 0

    def read(self, timeout=None):
        if self.exhausted:
            return None
        ok, image = self.capture.read()
        if not ok:
            self.close()
            return None
        offset = self.next_index / self.fps
        if self.pace:
            time.sleep(max(0.0, self.started_clock + offset - time.monotonic()))
        frame = Frame(image, self.next_index, self.started_at + timedelta(seconds=offset))
        self.next_index += 1
        return frame

    def close(self):
        self.exhausted = True
        self.capture.release()


class LiveSource(FrameSource):
    """A stream or device decoded in a thread that hands out only fresh frames (see above)."""

    is_live = True

    def __init__(
        self, target, *, backoff_max=30.0, open_timeout=10.0, read_timeout=10.0, max_fps=None
    ):
        self.target = target
        self.display_name = mask_url(str(target))
        self.backoff = Backoff(maximum=backoff_max)
        self.timeouts_ms = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(open_timeout * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(read_timeout * 1000),
        ]
        self.interval = 1.0 / max_fps if max_fps else 0.0
        self.next_due = 0.0  # monotonic time from which a frame may be handed out
        self.last_error = None
        self.dropped = 0  # frames decoded but never handed to the analysis
        self.newest = None
        self.waiting = False  # a reader waits in ``read``
        self.new_frame = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(
            target=self.decode_loop, name=f"source {self.display_name}", daemon=True
        )
        self.thread.start()

    def read(self, timeout=None):
        with self.new_frame:
            self.waiting = True
            self.new_frame.wait_for(lambda: self.newest is not None or self.exhausted, timeout)
            frame, self.newest, self.waiting = self.newest, None, False
        return frame

    def close(self):
        self.stopping.set()
        with self.new_frame:
            self.exhausted = True
            self.new_frame.notify_all()
        self.thread.join(timeout=2.0)

    def decode_loop(self):
        next_index = 0
        while not self.stopping.is_set():
            capture = self.connect()
            if capture is not None:
                try:
                    next_index = self.pump(capture, next_index)
                finally:
                    capture.release()
            self.stopping.wait(self.backoff.next_delay())

    def connect(self):
        if isinstance(self.target, int):
            capture = cv2.VideoCapture(self.target)
        else:
            capture = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG, self.timeouts_ms)
        if capture.isOpened():
            return capture
        capture.release()
        self.report_error(f"cannot open {self.display_name}")
        return None

    def pump(self, capture, next_index):
        """Publish frames until the stream stops; return the next frame index."""
        while not self.stopping.is_set():
            if not capture.grab():
                self.report_error(f"stream {self.display_name} ended or stalled")
                break
            grabbed_at = utc_now()
            if self.last_error is not None:
                logger.info("%s: frames flow again", self.display_name)
                self.last_error = None
            self.backoff.reset()
            if self.wanted():
                ok, image = capture.retrieve()
                with self.new_frame:
                    if ok:
                        self.newest = Frame(image, next_index, grabbed_at)
                        self.new_frame.notify_all()
            else:
                self.dropped += 1
            next_index += 1
        return next_index

    def wanted(self):
        """Whether to hand out the frame just decoded: a reader waits and ``max_fps`` allows."""
        now = time.monotonic()
        if not self.waiting or self.newest is not None or now < self.next_due:
            return False
        # Due times step by the interval (not from now), so frames arriving on the stream's
        # own grid still average ``max_fps``; a late reader earns no burst of catch-up frames.
        self.next_due = max(self.next_due + self.interval, now + self.interval / 2)
        return True

    def report_error(self, message):
        if message != self.last_error:
            logger.warning("%s; retrying with back-off", message)
        self.last_error = message
