"""The HTTP hop from the gateway to a provider's system: kept-alive connections per thread and upstream
host, the provider's timeout, and the two ways it fails (``UpstreamTimeout`` → 504, ``UpstreamFailure``
→ 502). Standard library only."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from dataclasses import dataclass

_local = threading.local()


class UpstreamFailure(Exception):
    pass


class UpstreamTimeout(UpstreamFailure):
    pass


@dataclass(frozen=True)
class UpstreamAnswer:
    status: int
    content_type: str
    body: bytes


def _connection(scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
    pool: dict[tuple[str, str], http.client.HTTPConnection] = getattr(_local, "pool", None) or {}
    _local.pool = pool
    conn = pool.get((scheme, netloc))
    if conn is None:
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = cls(netloc, timeout=timeout)
        pool[(scheme, netloc)] = conn
    return conn


def _drop(scheme: str, netloc: str) -> None:
    pool = getattr(_local, "pool", {})
    conn = pool.pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def upstream_url(base: str, rest: str, query: str) -> str:
    url = base if base.endswith("/") else base + "/"
    url += rest.lstrip("/")
    return f"{url}?{query}" if query else url


def forward(*, method: str, url: str, headers: dict[str, str], body: bytes, timeout: float) -> UpstreamAnswer:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UpstreamFailure(f"bad upstream URL {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    for attempt in (1, 2):
        conn = _connection(parts.scheme, parts.netloc, timeout)
        reused = conn.sock is not None
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        try:
            conn.request(method, target, body=body or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.will_close:
                _drop(parts.scheme, parts.netloc)
            return UpstreamAnswer(
                status=response.status, content_type=response.getheader("Content-Type", ""), body=data
            )
        except TimeoutError as exc:
            _drop(parts.scheme, parts.netloc)
            raise UpstreamTimeout(f"no answer within {timeout:g} s") from exc
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            _drop(parts.scheme, parts.netloc)
            if reused and attempt == 1:
                continue  # the provider closed an idle kept-alive connection: once more on a new one
            raise UpstreamFailure(f"connection lost: {exc}") from exc
        except ConnectionRefusedError as exc:
            _drop(parts.scheme, parts.netloc)
            raise UpstreamFailure("connection refused") from exc
        except (OSError, http.client.HTTPException) as exc:
            _drop(parts.scheme, parts.netloc)
            raise UpstreamFailure(str(exc) or exc.__class__.__name__) from exc
    raise UpstreamFailure("unreachable")
