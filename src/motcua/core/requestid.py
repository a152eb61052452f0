"""The request id: one identifier per HTTP request that every log line of that request carries, and that
follows the request into the background tasks it enqueued, so an operator can find every line of one
dossier action across the web server and the worker (issue 15, point 3).

The id comes from the ``X-Request-Id`` header when a proxy (nginx's ``$request_id``) or a client sends a
well-formed one, else it is generated; the response carries it back. It lives in a ``ContextVar``, so a
thread or an asyncio task sees only its own. ``motcua.operations`` stores it with each task row
(``args_kwargs["context"]``) and the worker binds it again while the task runs."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-Id"
# Letters, digits and a few separators, at most 128: an id goes into log lines and headers as it is.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
# The key of a task row's ``args_kwargs`` that holds the context of the request that enqueued it.
TASK_CONTEXT_KEY = "context"

_request_id: ContextVar[str] = ContextVar("motcua_request_id", default="")


def request_id_current() -> str:
    """The id of the request (or task) being served in this context; "" outside one."""
    return _request_id.get()


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_clean(raw: str | None) -> str | None:
    """``raw`` when it is a well-formed id, else None (a malformed header is replaced, not trusted)."""
    if raw and _WELL_FORMED.match(raw):
        return raw
    return None


@contextmanager
def request_id_bound(value: str) -> Iterator[str]:
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


def task_context_current() -> dict[str, str]:
    """What a task enqueued now should carry of the current request."""
    rid = request_id_current()
    return {"request_id": rid} if rid else {}


def task_request_id(args_kwargs: Mapping[str, Any] | None) -> str:
    """The request id stored with a task row (``task_context_current`` at enqueue time), or a new one."""
    context = (args_kwargs or {}).get(TASK_CONTEXT_KEY) or {}
    found = request_id_clean(context.get("request_id")) if isinstance(context, Mapping) else None
    return found or request_id_new()


class RequestIdMiddleware:
    """Binds the request id for the request and answers it in ``X-Request-Id``. Keep it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_clean(request.headers.get(REQUEST_ID_HEADER)) or request_id_new()
        request.request_id = rid  # type: ignore[attr-defined]
        with request_id_bound(rid):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_current()
        return True
