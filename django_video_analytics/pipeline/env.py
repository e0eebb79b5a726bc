"""Offline set-up of ultralytics; the package imports ultralytics only through here.

ultralytics reads its environment once, when first imported: it would otherwise write a
settings file into the home folder, try to pip-install missing requirements and reach
its hub. ``ultralytics()`` pins it offline with a config folder the package owns.
"""

import os
from pathlib import Path

CACHE_ENV = "VIDEO_ANALYTICS_CACHE_DIR"


def cache_dir() -> Path:
    """The package's cache folder (``$VIDEO_ANALYTICS_CACHE_DIR`` or the user cache dir)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "django-video-analytics"


def configure_ultralytics() -> None:
    """Set the variables ultralytics reads at import: offline, no auto-install, our config."""
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "0"
    os.environ.setdefault("YOLO_VERBOSE", "False")
    config = cache_dir() / "ultralytics"
    config.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config))


def ultralytics():
    """The ``ultralytics`` module, imported offline."""
    configure_ultralytics()
    import ultralytics as module

    return module
