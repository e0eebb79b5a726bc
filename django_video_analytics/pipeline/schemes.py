"""The URL schemes frame sources open, in plain Python: the web side's validators share them."""

from urllib.parse import urlsplit

# Network streams; the default of ``STREAM_URL_SCHEMES``.
LIVE_SCHEMES = ("rtsp", "rtsps", "http", "https")
DEVICE_SCHEME = "device"
# A path, a file: URL or a device ("0", "device:0").
LOCAL_SCHEMES = frozenset({"", "file", DEVICE_SCHEME})


def is_local_source(url: str) -> bool:
    """True for what names a file or device on the analysis machine, not a network stream."""
    scheme = urlsplit(url).scheme.lower()
    return url.isdigit() or scheme in LOCAL_SCHEMES or len(scheme) == 1  # a Windows drive
