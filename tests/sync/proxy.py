"""A bad link between the station and the command, for tests and the bench: a TCP proxy on
loopback that caps the bandwidth in each direction (a token bucket shared by all connections,
as a link is), adds one-way latency, resets every open connection every N seconds and counts
the bytes it carried. No external tool: the test machines have no ``tc netem``.

Each direction of each connection is two threads: one reads from the sender only as fast as the
bucket allows (so the backlog stays in the sender's socket, as it would before a slow link) and
queues the bytes with the time they may arrive; the other delivers them then. The proxy's own
receive buffers are kept small, so the data "on the wire" is about what a real link of that
speed and latency would hold, not megabytes of loopback buffering.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

READ_SIZE = 16 * 1024
# What the link itself holds besides the bytes in flight: about a router queue's worth.
LINK_BUFFER = 64 * 1024


class TokenBucket:
    """``rate`` bytes per second, bursts up to ``burst`` bytes; ``take`` blocks until allowed."""

    def __init__(self, rate: float, burst: int = READ_SIZE) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self, count: int) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= count:
                    self._tokens -= count
                    return
                wait = (count - self._tokens) / self.rate
            time.sleep(wait)


@dataclass
class Direction:
    """What one direction of the link carried, all connections together."""

    received: int = 0  # read from the sender
    delivered: int = 0  # written to the receiver
    first_at: float | None = None  # monotonic time of the first and last delivery
    last_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, what: str, count: int) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + count)
            if what == "delivered":
                now = time.monotonic()
                self.first_at = self.first_at if self.first_at is not None else now
                self.last_at = now


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a dropped link looks to both ends (SO_LINGER 0)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # close() alone does not wake a thread blocked in recv() on Linux; SHUT_RD does, and sends
    # nothing, so the RST goes out when the last user lets go of the socket.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)
    with contextlib.suppress(OSError):
        sock.close()


class _Connection:
    def __init__(self, proxy: FaultyProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = socket.socket()
        self.upstream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, LINK_BUFFER)
        self.closed = threading.Event()
        self._ended = 0
        self._ended_lock = threading.Lock()

    def start(self) -> None:
        try:
            self.upstream.connect(self.proxy.target)
        except OSError:
            self.cut()
            return
        proxy = self.proxy
        for source, sink, bucket, stats in (
                (self.client, self.upstream, proxy.up_bucket, proxy.up),
                (self.upstream, self.client, proxy.down_bucket, proxy.down)):
            line: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
            threading.Thread(target=self._read, args=(source, bucket, stats, line),
                             daemon=True).start()
            threading.Thread(target=self._deliver, args=(sink, stats, line),
                             daemon=True).start()

    def _read(self, source: socket.socket, bucket: TokenBucket | None, stats: Direction,
              line: queue.Queue[tuple[float, bytes] | None]) -> None:
        try:
            while not self.closed.is_set():
                data = source.recv(READ_SIZE)
                if not data:
                    break
                if bucket is not None:
                    bucket.take(len(data))
                if self.closed.is_set():
                    break
                stats.add("received", len(data))
                line.put((time.monotonic() + self.proxy.latency, data))
        except OSError:
            self.cut()
        line.put(None)  # the sender finished (or the link broke): pass the end on

    def _deliver(self, sink: socket.socket, stats: Direction,
                 line: queue.Queue[tuple[float, bytes] | None]) -> None:
        try:
            while (item := line.get()) is not None:
                due, data = item
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                if self.closed.is_set():
                    return
                sink.sendall(data)
                stats.add("delivered", len(data))
            if self.closed.is_set():  # the end came from a cut: no FIN, the RST says it all
                return
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
        except OSError:
            self.cut()
            return
        with self._ended_lock:
            self._ended += 1
            both = self._ended == 2
        if both:  # both sides said goodbye: an ordinary close, not a cut
            self.closed.set()
            self.client.close()
            self.upstream.close()
            self.proxy._forget(self)

    def cut(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        _reset(self.client)
        _reset(self.upstream)
        self.proxy._forget(self)


class FaultyProxy:
    """``FaultyProxy(target_port, rate=250_000, latency=0.2, cut_every=20).start()``; its
    ``url`` in place of the server's. ``rate`` is in bytes per second each way (None: no cap)."""

    def __init__(self, target_port: int, *, rate: float | None = None, latency: float = 0.0,
                 cut_every: float | None = None) -> None:
        self.target = ("127.0.0.1", target_port)
        self.latency = latency
        self.cut_every = cut_every
        # A burst of 20 ms at the rate: a thread that wakes late (a loaded machine) catches up
        # instead of losing the time, as a kernel's link would not.
        burst = max(READ_SIZE, int((rate or 0) * 0.02))
        self.up_bucket = TokenBucket(rate, burst) if rate else None
        self.down_bucket = TokenBucket(rate, burst) if rate else None
        self.up = Direction()
        self.down = Direction()
        self.cuts = 0
        self.connections = 0
        self._open: set[_Connection] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit it: the client's bytes wait in the client, not in here.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, LINK_BUFFER)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultyProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        if self.cut_every:
            threading.Thread(target=self._cutter, daemon=True).start()
        return self

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            connection = _Connection(self, client)
            with self._lock:
                self._open.add(connection)
                self.connections += 1
            connection.start()

    def _cutter(self) -> None:
        while not self._stop.wait(self.cut_every):
            self.cut_all()

    def cut_all(self) -> int:
        """Reset every open connection now; how many there were."""
        with self._lock:
            victims = list(self._open)
            if victims:
                self.cuts += 1
        for connection in victims:
            connection.cut()
        return len(victims)

    def _forget(self, connection: _Connection) -> None:
        with self._lock:
            self._open.discard(connection)

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut_all()
