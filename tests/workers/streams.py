"""Real live streams on loopback for the tests: MJPEG over HTTP, and RTSP (ffmpeg)."""

import http.server
import shutil
import socket
import socketserver
import subprocess
import threading
import time

import cv2
import pytest

from testing_media.clips import asset_path

RTSP_TOOLS = ("ffmpeg", "rtsp-server-perl")
requires_rtsp_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in RTSP_TOOLS),
    reason="needs Debian's ffmpeg and rtsp-server-perl (apt-get install ffmpeg rtsp-server-perl)",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bus_jpeg(width=320):
    """bus.jpg scaled to ``width``, JPEG-encoded."""
    image = cv2.imread(str(asset_path("bus.jpg")))
    height = round(image.shape[0] * width / image.shape[1])
    ok, encoded = cv2.imencode(".jpg", cv2.resize(image, (width, height)))
    assert ok
    return encoded.tobytes()


class MjpegServer:
    """Serves one real JPEG as an endless ``multipart/x-mixed-replace`` stream at ``fps``.

    ``stop()`` closes the port and every open stream; ``start()`` serves again on the
    same port, like a camera that reboots.
    """

    def __init__(self, jpeg, fps=30, port=None):
        self.jpeg = jpeg
        self.fps = fps
        self.port = port or free_port()
        self.serving = threading.Event()
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/stream.mjpg"

    def start(self):
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                part = (
                    (
                        b"--frame\r\nContent-Type: image/jpeg\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(server_self.jpeg)
                    )
                    + server_self.jpeg
                    + b"\r\n"
                )
                try:
                    while server_self.serving.is_set():
                        self.wfile.write(part)
                        time.sleep(1 / server_self.fps)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.serving.set()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.serving.clear()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        if self.serving.is_set():
            self.stop()


class RtspStream:
    """rtsp-server-perl on loopback fed by ffmpeg; read ``url`` over UDP.

    ``video`` is a file played in a loop at its own rate (default: ffmpeg's test pattern).
    ``stop()`` kills both processes; ``start()`` brings the stream back on the same URL.
    """

    def __init__(self, video=None):
        self.video = video
        self.client_port = free_port()
        self.source_port = free_port()
        self.rtp_port = 20000 + (self.client_port % 20000)
        self.processes = []

    @property
    def url(self):
        return f"rtsp://127.0.0.1:{self.client_port}/test"

    def start(self):
        server = subprocess.Popen(
            [
                "rtsp-server-perl",
                "--clientport",
                str(self.client_port),
                "--client_listen_address",
                "127.0.0.1",
                "--serverport",
                str(self.source_port),
                "--source_listen_address",
                "127.0.0.1",
                "--rtp_start_port",
                str(self.rtp_port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(server)
        wait_for_port(self.source_port)
        if self.video is None:
            source = ["-f", "lavfi", "-i", "testsrc=size=640x360:rate=15"]
        else:
            source = ["-stream_loop", "-1", "-i", str(self.video)]
        pusher = subprocess.Popen(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-re",
                *source,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                "15",
                "-pix_fmt",
                "yuv420p",
                "-f",
                "rtsp",
                f"rtsp://127.0.0.1:{self.source_port}/test",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(pusher)
        return self

    def stop(self):
        for process in reversed(self.processes):
            process.kill()
            process.wait()
        self.processes.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def wait_for_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")
