"""A hostile relay for the trust tests: an HTTP server on loopback that forwards every request
to the real command server and lets a test change the answer (swap the command's keys, answer
in its place with an unsigned or forged refusal), as someone between the station and the
command could: a hostile Wi-Fi, a captive portal, a compromised router.

``rewrite(method, path, status, headers, body)`` returns the answer to give instead (status,
headers, body) or None to pass the real one on. Request bodies (also the station's chunked
PATCH) are read whole and forwarded; every request is recorded as (method, path).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, dict[str, str], bytes]
Rewrite = Callable[[str, str, int, dict[str, str], bytes], Answer | None]

_HOP = {"transfer-encoding", "connection", "content-length", "date", "server", "keep-alive"}


class Relay:
    def __init__(self, target_port: int, rewrite: Rewrite | None = None) -> None:
        relay = self
        self.rewrite = rewrite
        self.requests: list[tuple[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _body(self) -> bytes | None:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    out = bytearray()
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return bytes(out)
                        out += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("content-length") or 0)
                return self.rfile.read(length) if length else None

            def _forward(self) -> None:
                body = self._body()
                relay.requests.append((self.command, self.path))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in _HOP and k.lower() != "host"}
                if body is not None:
                    headers["Content-Length"] = str(len(body))
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    status = response.status
                    answer_headers = {k: v for k, v in response.getheaders()
                                      if k.lower() not in _HOP}
                finally:
                    conn.close()
                if relay.rewrite is not None:
                    changed = relay.rewrite(self.command, self.path, status, answer_headers, data)
                    if changed is not None:
                        status, answer_headers, data = changed
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_POST = do_PATCH = do_HEAD = do_GET = do_DELETE = do_OPTIONS = _forward

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Relay:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
