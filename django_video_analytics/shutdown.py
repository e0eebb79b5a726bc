"""Two-stage shutdown, as rq does it: the first SIGTERM/SIGINT stops cleanly, the second at once."""

import logging
import os
import signal
import threading

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ForcedExit(BaseException):
    """Raised by the second stop signal; a BaseException so that no handler swallows it."""

    def __init__(self, signum):
        super().__init__(signum)
        self.exit_code = 128 + signum


def raise_forced_exit(signum):
    raise ForcedExit(signum)


def exit_process_now(signum):
    """For processes with busy non-daemon threads, which an exception would not stop."""
    os._exit(128 + signum)


class Shutdown:
    """A stop request set by SIGTERM/SIGINT (or by ``request()``)."""

    def __init__(self, finishing, force=raise_forced_exit):
        self.finishing = finishing  # what the first signal lets finish, for the log
        self.force = force
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
            self.force(signum)
            return
        logger.warning("%s: finishing %s (%s again to exit at once)", name, self.finishing, name)
        self.request()
