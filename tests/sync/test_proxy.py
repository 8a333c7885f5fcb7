"""The fault-injecting proxy does what the bad-link test relies on: it really caps the rate,
really delays, really resets, and counts what it carried."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.sync.proxy import FaultyProxy


class EchoServer:
    """Echoes whatever it receives and counts it."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = 0
        self.resets = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        with conn:
            try:
                while data := conn.recv(65536):
                    self.received += len(data)
                    conn.sendall(data)
            except ConnectionResetError:
                self.resets += 1

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.close()


@contextlib.contextmanager
def _through(echo: EchoServer, **link: float) -> Iterator[tuple[FaultyProxy, socket.socket]]:
    """The proxy in front of the echo server, and one connection through it."""
    proxy = FaultyProxy(echo.port, **link).start()  # type: ignore[arg-type]
    try:
        with socket.create_connection(("127.0.0.1", proxy.port)) as sock:
            yield proxy, sock
    finally:
        proxy.stop()


def _drain(sock: socket.socket, count: int) -> None:
    while count > 0:
        data = sock.recv(min(count, 65536))
        assert data, "the proxy closed the connection early"
        count -= len(data)


def test_the_bandwidth_cap_holds(echo):
    rate, size = 200_000, 400_000  # 2 s at the cap, each way at once
    with _through(echo, rate=rate) as (proxy, sock):
        reader = threading.Thread(target=_drain, args=(sock, size))
        reader.start()
        started = time.monotonic()
        sock.sendall(b"x" * size)
        reader.join(timeout=30)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 2  # the proxy counts just after its send returns
        while proxy.down.delivered < size and time.monotonic() < deadline:
            time.sleep(0.01)
        assert echo.received == size and proxy.up.delivered == size
        assert proxy.down.delivered == size
        achieved = size / elapsed
        assert 0.85 * rate < achieved < 1.15 * rate, achieved
        assert proxy.up.received == size


def test_the_latency_is_added_each_way(echo):
    with _through(echo, latency=0.15) as (_, sock):
        rtts = []
        for _ in range(3):
            started = time.monotonic()
            sock.sendall(b"ping")
            _drain(sock, 4)
            rtts.append(time.monotonic() - started)
    assert all(0.29 < rtt < 0.6 for rtt in rtts), rtts  # 2 × 0.15 s, and a loaded machine


def test_a_cut_resets_both_ends(echo):
    proxy = FaultyProxy(echo.port, cut_every=0.5).start()
    try:
        with socket.create_connection(("127.0.0.1", proxy.port)) as sock:
            sock.sendall(b"hello")
            _drain(sock, 5)
            started = time.monotonic()
            with pytest.raises(ConnectionResetError):
                while sock.recv(1024):
                    pass
            assert time.monotonic() - started < 1.5
        assert proxy.cuts >= 1
        deadline = time.monotonic() + 5
        while echo.resets == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert echo.resets == 1
        with socket.create_connection(("127.0.0.1", proxy.port)) as again:  # a new one works
            again.sendall(b"again")
            _drain(again, 5)
        assert proxy.connections == 2
    finally:
        proxy.stop()
