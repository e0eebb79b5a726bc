"""Set-up of the third-party ML libraries; the package loads ultralytics and EasyOCR here.

ultralytics reads its environment once, when first imported: it would otherwise write a
settings file into the home folder, try to pip-install missing requirements and reach
its hub. ``ultralytics()`` pins it offline with a config folder the package owns.
Both loaders silence the warnings torch is known to print through these libraries (about
their internals, nothing a user can act on); every other warning stays.
"""

import os
import warnings
from pathlib import Path

CACHE_ENV = "VIDEO_ANALYTICS_CACHE_DIR"

# (start of the message, category) of the known warnings; raised inside torch or easyocr.
KNOWN_WARNINGS = (
    (r"torch\.ao\.quantization is deprecated", DeprecationWarning),
    (r"torch\.quantize_per_tensor, torch\.quantize_per_channel", UserWarning),
    (r"'pin_memory' argument is set as true but no accelerator", UserWarning),
)
WARNING_MODULES = r"(torch|easyocr)\."


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


def silence_known_warnings() -> None:
    """Ignore ``KNOWN_WARNINGS`` when torch or easyocr raise them (process-wide)."""
    for message, category in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message, category, WARNING_MODULES)


def ultralytics():
    """The ``ultralytics`` module, imported offline."""
    configure_ultralytics()
    silence_known_warnings()
    import ultralytics as module

    return module


def easyocr():
    """The ``easyocr`` module."""
    silence_known_warnings()
    import easyocr as module

    return module
