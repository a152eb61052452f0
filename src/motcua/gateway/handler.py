"""The gateway's request handler: Django's request handling on ``urls_gateway`` with no middleware (no
sessions, CSRF or locale: clients are systems with bearer tokens), served by
``motcua gateway serve`` (wsgi.py) and by the tests' thread (motcua.testing.gateway)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpResponse, HttpResponseBase
from django.urls import set_script_prefix

GATEWAY_URLCONF = "motcua.gateway.urls_gateway"


class GatewayHandler(WSGIHandler):
    """Django's WSGI handler with the gateway's URLconf and no middleware."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._middleware_chain = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]

    def get_response(self, request: Any) -> HttpResponseBase:
        request.urlconf = GATEWAY_URLCONF
        return super().get_response(request)


def call_without_signals(
    handler: GatewayHandler, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """The handler's WSGI call without request_started/finished (which close the database connection):
    for a server thread that uses the test's own connection (motcua.testing.gateway)."""
    set_script_prefix(get_script_name(environ))
    response = handler.get_response(WSGIRequest(environ))
    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
    if isinstance(response, HttpResponse):
        return [response.content]
    return [b"".join(response)]  # a streaming response: its chunks
