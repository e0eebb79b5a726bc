"""Two-stage shutdown, as rq does it: the first signal stops cleanly, the second at once."""

import logging
import os
import signal
import threading

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Shutdown:
    """A stop request set by SIGTERM/SIGINT (or by ``request()``)."""

    def __init__(self):
        self.event = threading.Event()
        self.previous_handlers = {}

    @property
    def requested(self):
        return self.event.is_set()

    def request(self):
        self.event.set()

    def wait(self, timeout):
        """Sleep up to ``timeout`` seconds; True when a stop was requested meanwhile."""
        return self.event.wait(timeout)

    def install(self):
        """Handle the signals (only possible in the main thread; elsewhere a no-op)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in SIGNALS:
            self.previous_handlers[signum] = signal.signal(signum, self.handle)

    def restore(self):
        for signum, handler in self.previous_handlers.items():
            signal.signal(signum, handler)
        self.previous_handlers.clear()

    def handle(self, signum, frame):
        name = signal.Signals(signum).name
        if self.requested:
            logger.warning("%s again: exiting at once", name)
            os._exit(128 + signum)
        logger.warning(
            "%s: finishing the current frames and releasing the cameras (%s again to exit now)",
            name,
            name,
        )
        self.request()
