"""Rate limits of the command server, in memory (one process serves; a restart forgets them,
which costs an attacker a restart he cannot cause). Both are bounded in the number of clients
they remember, so a flood of addresses cannot grow them without end."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    blocked_until: float = 0.0
    strikes: int = 0
    last: float = 0.0


class FailureLimiter:
    """After ``allowed`` failures within ``window`` seconds a client waits ``first_wait``
    seconds, then twice as long at each further block, up to ``max_wait``. A client is
    forgiven its strikes after ``window`` + ``max_wait`` seconds without a failure."""

    def __init__(self, allowed: int, window: float, first_wait: float, max_wait: float,
                 clock: Callable[[], float] = time.monotonic, remember: int = 100_000) -> None:
        self.allowed, self.window = allowed, window
        self.first_wait, self.max_wait = first_wait, max_wait
        self.clock, self.remember = clock, remember
        self._clients: OrderedDict[str, _Record] = OrderedDict()

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before it is heard again (0: now)."""
        record = self._clients.get(client)
        if record is None:
            return 0.0
        return max(0.0, record.blocked_until - self.clock())

    def failed(self, client: str) -> float:
        """Count a failure; the wait it now has (0 if none)."""
        now = self.clock()
        record = self._clients.pop(client, None) or _Record()
        self._clients[client] = record  # the most recent last: the oldest are forgotten
        while len(self._clients) > self.remember:
            self._clients.popitem(last=False)
        if now - record.last > self.window + self.max_wait:
            record.strikes = 0
        record.last = now
        record.failures = [t for t in record.failures if t > now - self.window] + [now]
        if len(record.failures) >= self.allowed:
            record.blocked_until = now + min(self.max_wait, self.first_wait * 2**record.strikes)
            record.strikes += 1
            record.failures = []
        return self.wait(client)


class RateLimiter:
    """A token bucket per client: ``burst`` requests at once, ``per_second`` after that."""

    def __init__(self, per_second: float, burst: int,
                 clock: Callable[[], float] = time.monotonic, remember: int = 100_000) -> None:
        self.per_second, self.burst = per_second, burst
        self.clock, self.remember = clock, remember
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str) -> float:
        """0 if ``client`` may go on now (a token is used), else the seconds to wait."""
        now = self.clock()
        tokens, at = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.per_second
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.remember:
            self._buckets.popitem(last=False)
        return wait
