import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class WebhookReceiver:
    """A real local HTTP server that records POSTs and answers with scripted statuses."""

    def __init__(self, statuses=(), port=0):
        self.statuses = list(statuses)  # answers in turn; 200 once they run out
        self.requests = []
        self.received = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                if status == 200:
                    receiver.received.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/plates"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json(self, index=-1):
        return json.loads(self.requests[index][1])


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def celery_eager():
    from celery import current_app

    current_app.conf.task_always_eager = True
    yield current_app
    current_app.conf.task_always_eager = False


@pytest.fixture
def watchlist_settings(settings):
    """Fast retries; delivery in a thread unless a test asks for Celery."""

    def apply(**values):
        settings.VIDEO_ANALYTICS = {
            **settings.VIDEO_ANALYTICS,
            "WEBHOOK_DELIVERY": "thread",
            "WEBHOOK_RETRY_BACKOFF": 0.01,
            "WEBHOOK_TIMEOUT": 2.0,
            # The receivers listen on 127.0.0.1, refused by the outbound policy by default.
            "OUTBOUND_ALLOWED_NETWORKS": ["127.0.0.1/32"],
            **values,
        }

    apply()
    return apply
