"""Logging and metrics of the long-running commands (``--verbosity``, ``--metrics-port``)."""

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


def add_metrics_port_argument(parser):
    """``--metrics-port PORT`` of the long-running commands."""
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        metavar="PORT",
        help="Serve Prometheus metrics on this port.",
    )


def serve_metrics(port):
    """Serve the Prometheus metrics on ``port`` from a daemon thread (nothing when None)."""
    if port:
        from .metrics import start_metrics_server

        start_metrics_server(port)
