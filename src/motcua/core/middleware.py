"""Middleware of our own that more than one stack uses."""

from __future__ import annotations

import html
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from motcua.core.storage import is_storage_full

logger = logging.getLogger(__name__)


class AnonymousUserMiddleware:
    """For requests that carry no session (config/wsgi.py): ``request.user`` is anonymous until the API's
    token authentication replaces it — without loading a session to find that out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return self.get_response(request)


# --- Outages answered, not crashed -------------------------------------------------------------------
# Seconds a client should wait before retrying after a database outage (a PostgreSQL restart takes a few).
DATABASE_RETRY_AFTER_SECONDS = 10

_OUTAGES: dict[str, tuple[int, str, str]] = {
    "database": (
        503,
        "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.",
        "The service is briefly unavailable (database); please try again in a moment.",
    ),
    "storage": (
        507,
        "Máy chủ đã hết chỗ lưu tệp; hồ sơ chưa được ghi nhận. Vui lòng thử lại sau hoặc gọi đường dây nóng.",
        "The server has run out of file storage; the dossier was not recorded. Please try again later "
        "or call the hotline.",
    ),
}


def outage_kind(exc: BaseException | None) -> str | None:
    """``"database"`` for a lost or refused database connection, ``"storage"`` for a full disk or quota."""
    if isinstance(exc, OperationalError | InterfaceError):
        return "database"
    if exc is not None and is_storage_full(exc):
        return "storage"
    return None


def outage_response(request: HttpRequest, kind: str) -> HttpResponse:
    status, vietnamese, english = _OUTAGES[kind]
    # Same-key retries are safe: a submission with an Idempotency-Key is recorded at most once.
    extra: dict[str, Any] = {"outage": kind, "retry_safe": True}
    if kind == "database":
        extra["retry_after"] = DATABASE_RETRY_AFTER_SECONDS
    if request.path.startswith("/api/"):
        body = json.dumps({"message": f"{vietnamese} / {english}", "extra": extra}, ensure_ascii=False)
        response = HttpResponse(body, status=status, content_type="application/json")
    else:
        # Plain HTML without templates, sessions or the database: it must render during the outage.
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Một Cửa</title>'
            f'<h1>{html.escape(vietnamese)}</h1><p lang="en">{html.escape(english)}</p></html>'
        )
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    if kind == "database":
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


class OutageMiddleware:
    """A database outage answers 503 with ``Retry-After``, a full disk 507 — JSON on the API, a short
    Vietnamese and English page on the web — instead of the 500 page (review reliability F9).

    Exceptions from views arrive in ``process_exception``. One raised by an inner middleware (the session
    or the user loaded while the database is down) has already become Django's 500 response when it gets
    here; ``outage_remember`` (connected to ``got_request_exception`` in ``CoreConfig.ready``) notes its
    kind on the request so that 500 is replaced too. Keep this middleware first in the list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = getattr(request, "_motcua_outage", None)
        if kind is not None and response.status_code == 500:
            return outage_response(request, kind)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = outage_kind(exception)
        if kind is None:
            return None
        logger.error("%s outage on %s %s: %s", kind, request.method, request.path, exception)
        return outage_response(request, kind)


def outage_remember(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Receiver of ``got_request_exception``, sent while Django handles the exception (so it is current)."""
    kind = outage_kind(sys.exc_info()[1])
    if kind is not None and request is not None:
        request._motcua_outage = kind  # type: ignore[attr-defined]


# --- Request-size cap ----------------------------------------------------------------------------------
class RequestSizeLimitMiddleware:
    """Refuses a body larger than ``MOTCUA_MAX_REQUEST_BYTES`` with 413 from its Content-Length, before
    anything reads it (review security F13). Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, and
    granian has no limit of its own: without this a 60 MiB upload is streamed to a temporary file first.
    A body without Content-Length (chunked) is not read by Django at all under WSGI."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "MOTCUA_MAX_REQUEST_BYTES", 25 * 1024 * 1024))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return self._too_large(request, length, limit)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest, length: int, limit: int) -> HttpResponse:
        mib = limit / (1024 * 1024)
        vietnamese = f"Yêu cầu vượt quá {mib:g} MB."
        english = f"The request is larger than {mib:g} MB."
        if request.path.startswith("/api/"):
            body = json.dumps(
                {"message": f"{vietnamese} / {english}", "extra": {"limit": limit, "size": length}},
                ensure_ascii=False,
            )
            return HttpResponse(body, status=413, content_type="application/json")
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Một Cửa</title>'
            f'<h1>{html.escape(vietnamese)}</h1><p lang="en">{html.escape(english)}</p></html>'
        )
        return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
