"""Logging for the long-running commands, set from ``--verbosity`` like rq and channels do."""

import logging
import sys

PACKAGE_LOGGER = "django_video_analytics"


def configure_logging(verbosity):
    """Set the package's log level; add a stderr handler unless the project configured one."""
    logger = logging.getLogger(PACKAGE_LOGGER)
    if verbosity <= 0:
        logger.setLevel(logging.WARNING)
    else:
        logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
