"""The command server's connections, bounded before a request reaches the application: at
most so many open connections per client address and in all, a deadline for a request's
headers (a client that opens connections and sends its headers a byte at a time is cut off),
and the open-files limit raised to what the system allows, so a crowd of idle sockets cannot
use up the descriptors the next station needs. uvicorn runs the server; this is its HTTP
protocol with those bounds and the options the command uses."""

from __future__ import annotations

import asyncio
import resource
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft
        return target
    return soft


@dataclass
class ConnectionLimits:
    per_client: int = 64  # a station opens one or two; a NAT of many stations stays far below
    total: int = 8000
    header_timeout: float = 20.0  # seconds for a request's headers to arrive
    # Reverse proxies in front of the command: every connection comes from them, so they are
    # not held to ``per_client`` (the proxy bounds its own clients).
    exempt: frozenset[str] = frozenset()
    open: Counter[str] = field(default_factory=Counter)

    def admit(self, client: str) -> bool:
        if sum(self.open.values()) >= self.total:
            return False
        if client not in self.exempt and self.open[client] >= self.per_client:
            return False
        self.open[client] += 1
        return True

    def release(self, client: str) -> None:
        self.open[client] -= 1
        if self.open[client] <= 0:
            del self.open[client]


def guarded_protocol(limits: ConnectionLimits) -> type[H11Protocol]:
    class GuardedProtocol(H11Protocol):
        _admitted: str | None = None
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            client = self.client[0] if self.client else ""
            if not limits.admit(client):
                transport.abort()
                return
            self._admitted = client
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._admitted is not None:
                limits.release(self._admitted)
                self._admitted = None
            super().connection_lost(exc)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request's headers are in
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection has the same deadline

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(limits.header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _too_slow(self) -> None:
            self._head_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()

    return GuardedProtocol


def uvicorn_config(app: Any, host: str, port: int, *, limits: ConnectionLimits | None = None,
                   tls_cert: str | None = None, tls_key: str | None = None,
                   log_level: str = "info", proxies: list[str] | None = None) -> uvicorn.Config:
    """How the command serves ``app``: the guarded protocol, a short keep-alive, a deep
    backlog, TLS when given a certificate and key, X-Forwarded-For believed only from
    ``proxies`` (the reverse proxies in front; by default none, so no client can claim another's
    address to slip past a rate limit)."""
    limits = limits or ConnectionLimits(exempt=frozenset(proxies or ()))
    return uvicorn.Config(
        app, host=host, port=port, http=guarded_protocol(limits), lifespan="on",
        log_level=log_level, timeout_keep_alive=5, backlog=4096,
        ssl_certfile=tls_cert, ssl_keyfile=tls_key,
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies or [],
        server_header=False, h11_max_incomplete_event_size=16 * 1024)
