"""The one way out to the national systems: HTTP through the province's data-sharing gateway (LGSP), as
CONTRACTS.md fixes it — an OAuth2 client-credentials token, ``<METHOD> /r/<service>/<path>`` with
``X-Message-Id`` (a retry with the same id is answered from the gateway's log, not executed twice) and
``X-Purpose`` for personal data. Only ``MOTCUA_GATEWAY_URL`` changes between the demo and production.

Every failure that is not the national system's own answer — the gateway or the system down, slow past
``MOTCUA_NATIONAL_TIMEOUT_SECONDS``, refusing us, or answering something that is not JSON — is a
``NationalUnavailable`` with a Vietnamese message a clerk can read; callers carry on without the data."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class NationalUnavailable(Exception):
    """The national system could not answer now (``reason``: down, timeout, garbage, refused, busy)."""

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail or message}")
        self.reason = reason
        self.message = message
        self.detail = detail


class NationalRefused(Exception):
    """The national system refused the request as malformed (its error code, e.g. ``500 DATA_INCORRECT``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class GatewayAnswer:
    status: int
    data: dict[str, Any]
    message_id: str
    replayed: bool


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    return str(value) if value else default


def gateway_url() -> str:
    return _setting("MOTCUA_GATEWAY_URL", "http://127.0.0.1:8710").rstrip("/")


def timeout_seconds() -> float:
    return float(getattr(settings, "MOTCUA_NATIONAL_TIMEOUT_SECONDS", 5))


_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def token_forget() -> None:
    """Drop cached tokens (tests that start a new gateway; a 401 from the gateway)."""
    with _tokens_lock:
        _tokens.clear()


def _unavailable_for(exc: BaseException, where: str) -> NationalUnavailable:
    if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
        return NationalUnavailable(
            "timeout", _("%(system)s không phản hồi kịp (quá thời gian chờ).") % {"system": where}, str(exc)
        )
    return NationalUnavailable("down", _("Không kết nối được %(system)s.") % {"system": where}, str(exc))


def _open(request: urllib.request.Request, *, where: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds()) as answer:  # noqa: S310 (configured URL)
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as exc:
        body = exc.read() if exc.fp is not None else b""
        return exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, body
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise _unavailable_for(reason if isinstance(reason, BaseException) else exc, where) from exc


def _token(*, refresh: bool = False) -> str:
    base = gateway_url()
    client_id = _setting("MOTCUA_GATEWAY_CLIENT_ID", "motcua")
    secret = _setting("MOTCUA_GATEWAY_CLIENT_SECRET", "")
    key = (base, client_id)
    with _tokens_lock:
        cached = _tokens.get(key)
        if cached is not None and not refresh and cached[1] > time.monotonic():
            return cached[0]
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured http(s) gateway URL)
        f"{base}/oauth/token",
        data=form,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    status, _headers, body = _open(request, where="nền tảng tích hợp, chia sẻ dữ liệu (LGSP)")
    try:
        data = json.loads(body)
        token = str(data["access_token"])
        lifetime = float(data.get("expires_in") or 300)
    except (ValueError, KeyError, TypeError) as exc:
        raise NationalUnavailable(
            "refused",
            _("Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) từ chối cấp quyền truy cập cho hệ thống."),
            f"token endpoint answered {status}: {body[:200]!r}",
        ) from exc
    with _tokens_lock:
        _tokens[key] = (token, time.monotonic() + max(lifetime - 30, 1))
    return token


def gateway_call(
    *,
    service: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    purpose: str = "",
    message_id: str | None = None,
    where: str,
) -> GatewayAnswer:
    """One exchange with national ``service`` (``csdldc``, ``csdldn``, ``vnpost``) through the gateway.

    Answers the system's JSON with its status (the caller reads its result codes); raises
    ``NationalRefused`` for the system's ``DATA_INCORRECT``-style refusals and ``NationalUnavailable``
    for everything that means "no usable answer now". ``where`` names the system in messages."""
    message_id = message_id or str(uuid.uuid4())
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    for attempt in (1, 2):
        headers = {
            "Authorization": f"Bearer {_token(refresh=attempt == 2)}",
            "X-Message-Id": message_id,
            "Accept": "application/json",
        }
        if purpose:
            # HTTP headers are Latin-1: the purpose travels percent-encoded when it holds Vietnamese.
            headers["X-Purpose"] = purpose if purpose.isascii() else urllib.parse.quote(purpose)
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(  # noqa: S310 (the configured http(s) gateway URL)
            f"{gateway_url()}/r/{service}/{path.lstrip('/')}", data=data, method=method, headers=headers
        )
        status, answer_headers, raw = _open(request, where=where)
        if status == 401 and attempt == 1:
            continue  # an expired or revoked token: one fresh one
        break
    try:
        parsed = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        if status >= 500:
            raise NationalUnavailable(
                "down", _("%(system)s đang gặp sự cố.") % {"system": where}, f"HTTP {status}"
            )
        raise NationalUnavailable(
            "garbage",
            _("%(system)s trả lời không đúng định dạng.") % {"system": where},
            f"HTTP {status}: {raw[:200]!r}",
        )
    if status in (502, 503, 504):
        reason = "timeout" if status == 504 else "down"
        text = (
            _("%(system)s không phản hồi kịp (quá thời gian chờ).")
            if status == 504
            else _("%(system)s đang không hoạt động.")
        )
        raise NationalUnavailable(reason, text % {"system": where}, str(parsed.get("message_en") or parsed))
    if status in (401, 403, 404, 429) and "error_code" not in parsed:
        # The gateway's own refusals (no grant, unknown service, rate limit): not the system's answer.
        raise NationalUnavailable(
            "refused" if status != 429 else "busy",
            f"{where}: {parsed.get('message') or _('nền tảng tích hợp từ chối yêu cầu')}",
            f"HTTP {status} {parsed.get('error', '')}",
        )
    if "error_code" in parsed:
        raise NationalRefused(
            f"{parsed.get('error_code')} {parsed.get('error', '')}".strip(), str(parsed.get("message") or "")
        )
    if status >= 400:
        raise NationalUnavailable(
            "garbage", _("%(system)s trả lời không đúng định dạng.") % {"system": where}, f"HTTP {status}"
        )
    return GatewayAnswer(
        status=status,
        data=parsed,
        message_id=answer_headers.get("x-message-id", message_id),
        replayed=answer_headers.get("x-gateway-replay") == "1",
    )
