"""Per-client token buckets, per gateway process (``rate_limit_per_second`` refill, ``rate_limit_burst``
capacity). With N serving processes a client gets up to N × its rate; the demo runs one."""

from __future__ import annotations

import math
import threading
import time

_lock = threading.Lock()
_buckets: dict[str, tuple[float, float]] = {}  # client_id → (tokens, last refill, monotonic)


def rate_limit_take(client_id: str, *, rate: int, burst: int) -> float:
    """0 if the call may go now, else the seconds until it may (for Retry-After)."""
    now = time.monotonic()
    with _lock:
        tokens, last = _buckets.get(client_id, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1:
            _buckets[client_id] = (tokens - 1, now)
            return 0.0
        _buckets[client_id] = (tokens, now)
        return (1 - tokens) / rate if rate > 0 else math.inf


def rate_limits_reset() -> None:
    with _lock:
        _buckets.clear()
