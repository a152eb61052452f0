"""The adapter that talks to the National Public Service Portal's sync API (domain-vn.md §4.1): the code
that would talk to the real portal, pointed at the gateway (LGSP, service ``dvcqg``) or at a URL.

A session is opened with ``username``/``password`` and the ``dstcode`` header and reused until the portal
answers ``AUTHEN_ERROR`` (100), then opened once more. Every call through the gateway carries a new
``X-Message-Id`` and a stated purpose."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from motcua.core.env import env_str

AUTHEN_ERROR = 100


class DvcqgUnavailable(Exception):
    """The portal (or the gateway before it) could not be reached or failed: try again later."""


class DvcqgRejected(Exception):
    """The portal answered with an error code (domain-vn.md §5): the request itself is wrong."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Transport(Protocol):
    def post(self, path: str, body: dict[str, Any], *, headers: dict[str, str]) -> tuple[int, Any]: ...


_OPENER: urllib.request.OpenerDirector | None = None


def _opener() -> urllib.request.OpenerDirector:
    """One opener per process: building one makes a TLS context (~130 ms, the CA store read again)."""
    global _OPENER  # built once, shared by the threads (openers keep no per-request state)
    if _OPENER is None:
        _OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return _OPENER


def _post_json(url: str, data: bytes, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener().open(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    except (OSError, ValueError) as exc:  # refused, reset, timed out, bad URL
        raise DvcqgUnavailable(f"{type(exc).__name__}: {exc}") from exc
    try:
        return status, json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DvcqgUnavailable(f"HTTP {status}: not JSON") from exc


@dataclass
class DirectTransport:
    """Straight to the portal's adapter URL (a test or a province without a gateway)."""

    base_url: str
    timeout: float = 10.0

    def post(self, path: str, body: dict[str, Any], *, headers: dict[str, str]) -> tuple[int, Any]:
        data = json.dumps(body, ensure_ascii=False).encode()
        return _post_json(
            self.base_url.rstrip("/") + path,
            data,
            {"Content-Type": "application/json", **headers},
            self.timeout,
        )


@dataclass
class GatewayTransport:
    """Through the LGSP: an OAuth2 client-credentials token, then ``/r/<service>/<path>`` with a message
    id and the purpose (CONTRACTS.md)."""

    gateway_url: str
    client_id: str
    client_secret: str
    service: str = "dvcqg"
    timeout: float = 10.0
    _token: str = ""
    _expires: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _bearer(self) -> str:
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": self.service,
            }
        ).encode()
        status, answer = _post_json(
            self.gateway_url.rstrip("/") + "/oauth/token",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
            self.timeout,
        )
        if status != 200 or not isinstance(answer, dict) or "access_token" not in answer:
            raise DvcqgUnavailable(f"gateway token: HTTP {status} {answer}")
        with self._lock:
            self._token = str(answer["access_token"])
            self._expires = time.monotonic() + max(10, int(answer.get("expires_in", 300)) - 30)
            return self._token

    def post(self, path: str, body: dict[str, Any], *, headers: dict[str, str]) -> tuple[int, Any]:
        data = json.dumps(body, ensure_ascii=False).encode()
        url = f"{self.gateway_url.rstrip('/')}/r/{self.service}{path}"
        if "dstcode" in headers:
            # The gateway forwards its own headers only: the routing code travels in the query too.
            url += "?" + urllib.parse.urlencode({"dstcode": headers["dstcode"]})
        for attempt in range(2):
            full = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self._bearer()}",
                "X-Message-Id": str(uuid.uuid4()),
                **headers,
            }
            status, answer = _post_json(url, data, full, self.timeout)
            if (
                status == 401
                and isinstance(answer, dict)
                and answer.get("error") == "invalid_token"
                and not attempt
            ):
                with self._lock:
                    self._token = ""
                continue
            break
        gateway_refusal = isinstance(answer, dict) and "error" in answer and "error_code" not in answer
        if status in (429, 502, 503, 504) or (status in (401, 403, 404) and gateway_refusal):
            # The gateway's own refusals and failures: our side or the link, not the portal's answer.
            raise DvcqgUnavailable(f"gateway: HTTP {status} {answer}")
        return status, answer


def gateway_settings() -> tuple[str, str, str]:
    """The gateway URL and our client credentials (settings added with the gateway; env as fall-back)."""
    return (
        getattr(settings, "MOTCUA_GATEWAY_URL", "") or env_str("MOTCUA_GATEWAY_URL", "http://127.0.0.1:8710"),
        getattr(settings, "MOTCUA_GATEWAY_CLIENT_ID", "") or env_str("MOTCUA_GATEWAY_CLIENT_ID", "motcua"),
        getattr(settings, "MOTCUA_GATEWAY_CLIENT_SECRET", "") or env_str("MOTCUA_GATEWAY_CLIENT_SECRET", ""),
    )


@dataclass
class DvcqgClient:
    transport: Transport
    username: str
    password: str
    dstcode: str
    agency_code: str
    _session: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _headers(self, purpose: str) -> dict[str, str]:
        headers = {"dstcode": self.dstcode}
        if purpose:
            headers["X-Purpose"] = purpose
        return headers

    def _login(self) -> str:
        status, answer = self.transport.post(
            "/auth", {"username": self.username, "password": self.password}, headers=self._headers("")
        )
        if not isinstance(answer, dict):
            raise DvcqgUnavailable(f"auth: HTTP {status}")
        if answer.get("error_code") != 0 or not answer.get("session"):
            if status >= 500:
                raise DvcqgUnavailable(f"auth: HTTP {status}")
            raise DvcqgRejected(int(answer.get("error_code") or AUTHEN_ERROR), str(answer.get("message", "")))
        with self._lock:
            self._session = str(answer["session"])
        return self._session

    def call(self, service: str, *, purpose: str = "", **fields: Any) -> Any:
        """Call one service; returns its ``result``. Raises DvcqgRejected / DvcqgUnavailable."""
        for attempt in range(2):
            session = self._session or self._login()
            body = {"session": session, "madonvi": self.agency_code, "service": service, **fields}
            status, answer = self.transport.post("/api", body, headers=self._headers(purpose))
            if not isinstance(answer, dict) or "error_code" not in answer:
                raise DvcqgUnavailable(f"{service}: HTTP {status}, no error_code")
            code = int(answer["error_code"])
            if code == 0:
                return answer.get("result")
            if code == AUTHEN_ERROR and attempt == 0:
                with self._lock:
                    self._session = ""
                continue
            if status >= 500:
                raise DvcqgUnavailable(f"{service}: HTTP {status} {answer.get('message', '')}")
            raise DvcqgRejected(code, str(answer.get("message", "")))
        raise DvcqgUnavailable(f"{service}: session refused twice")  # pragma: no cover


_client: DvcqgClient | None = None
_client_key: tuple[Any, ...] = ()


def dvcqg_client() -> DvcqgClient:
    """The process's client, rebuilt when the settings change (tests point it at their simulator)."""
    global _client, _client_key  # one session per process, like a connection pool of one
    gateway = gateway_settings()
    key = (
        settings.MOTCUA_DVCQG_URL,
        settings.MOTCUA_DVCQG_USERNAME,
        settings.MOTCUA_DVCQG_PASSWORD,
        settings.MOTCUA_DVCQG_DSTCODE,
        settings.MOTCUA_DVCQG_AGENCY_CODE,
        settings.MOTCUA_DVCQG_TIMEOUT_SECONDS,
        gateway,
    )
    if _client is None or key != _client_key:
        timeout = float(settings.MOTCUA_DVCQG_TIMEOUT_SECONDS)
        transport: Transport
        if settings.MOTCUA_DVCQG_URL:
            transport = DirectTransport(settings.MOTCUA_DVCQG_URL, timeout=timeout)
        else:
            transport = GatewayTransport(gateway[0], gateway[1], gateway[2], timeout=timeout)
        _client = DvcqgClient(
            transport=transport,
            username=settings.MOTCUA_DVCQG_USERNAME,
            password=settings.MOTCUA_DVCQG_PASSWORD,
            dstcode=settings.MOTCUA_DVCQG_DSTCODE,
            agency_code=settings.MOTCUA_DVCQG_AGENCY_CODE,
        )
        _client_key = key
    return _client
