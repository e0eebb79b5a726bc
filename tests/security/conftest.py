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
