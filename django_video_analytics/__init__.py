"""Video analytics (detection, motion, ANPR) for Django video-management systems."""

__version__ = "0.1.0"
