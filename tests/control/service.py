"""A small real analytics service (SPEC "Remote analytics service") for the tests."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CAMERA_PATH = re.compile(r"^/api/cameras/(?P<camera_id>[^/]+)$")


class AnalyticsService(ThreadingHTTPServer):
    """Keeps registered camera configs in memory; ``fail_next``/``delay`` inject faults."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ServiceHandler)
        self.cameras = {}
        self.calls = []
        self.fail_next = 0  # answer this many calls with a 500
        self.error = "detector crashed"
        self.delay = 0.0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):
        pass  # a client that timed out has hung up; nothing to report

    def __enter__(self):
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


class ServiceHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass  # keep test output clean

    def answer(self, status, payload=None):
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_call(self, method):
        service = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        service.calls.append((method, self.path, body))
        if service.delay:
            time.sleep(service.delay)
        if service.fail_next:
            service.fail_next -= 1
            return self.answer(500, {"error": service.error})
        match = CAMERA_PATH.match(self.path)
        if method == "GET" and self.path == "/api/health":
            return self.answer(200, {"status": "ok", "cameras": len(service.cameras)})
        if method == "GET" and self.path == "/api/cameras":
            return self.answer(200, {"cameras": list(service.cameras.values())})
        if method == "POST" and self.path == "/api/cameras":
            if not isinstance(body, list):
                return self.answer(400, {"error": "expected a list of camera configs"})
            for config in body:
                service.cameras[config["camera_id"]] = config
            return self.answer(201, {"registered": [config["camera_id"] for config in body]})
        if match and match["camera_id"] in service.cameras:
            if method == "GET":
                return self.answer(200, service.cameras[match["camera_id"]])
            del service.cameras[match["camera_id"]]
            return self.answer(204)
        return self.answer(404, {"error": "unknown camera"})

    def do_GET(self):
        self.handle_call("GET")

    def do_POST(self):
        self.handle_call("POST")

    def do_DELETE(self):
        self.handle_call("DELETE")
