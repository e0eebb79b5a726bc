import signal
import threading

import pytest

from ..events.processes import start_consumer
from ..watchlist.conftest import WebhookReceiver

# The receivers below listen on 127.0.0.1, which the outbound policy refuses by default:
# every test that delivers allows it explicitly, through the setting itself.
LOOPBACK = {"OUTBOUND_ALLOWED_NETWORKS": ["127.0.0.1/32"]}


@pytest.fixture
def receiver():
    """A real HTTP server on 127.0.0.1 that records POSTs (answers 200 unless scripted)."""
    server = WebhookReceiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.VIDEO_ANALYTICS = {
        **settings.VIDEO_ANALYTICS,
        **LOOPBACK,
        "WEBHOOK_RETRY_BACKOFF": 0.01,
        "WEBHOOK_TIMEOUT": 2.0,
    }


class HangingReceiver(WebhookReceiver):
    """Holds the first ``hang`` POSTs open without answering; answers 200 afterwards."""

    def __init__(self, hang=1):
        super().__init__()
        self.hang = hang
        self.arrived = threading.Event()
        self.release = threading.Event()
        receiver = self
        answer = self.server.RequestHandlerClass.do_POST

        def do_post(handler):
            if receiver.hang > 0:
                receiver.hang -= 1
                receiver.arrived.set()
                receiver.release.wait(30)
                return
            answer(handler)

        self.server.RequestHandlerClass.do_POST = do_post


def kill_consumer_mid_delivery(receiver, overrides, log_path):
    """Start ``consume_events`` and SIGKILL it while ``receiver`` holds its POST open."""
    victim = start_consumer(overrides=overrides, log_path=log_path)
    try:
        assert receiver.arrived.wait(60), log_path.read_text()
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(10) == -signal.SIGKILL
    finally:
        victim.kill()


@pytest.fixture
def hanging_receiver():
    server = HangingReceiver()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()
