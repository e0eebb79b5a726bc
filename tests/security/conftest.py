import threading

import pytest

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


@pytest.fixture
def hanging_receiver():
    server = HangingReceiver()
    server.thread.start()
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()
