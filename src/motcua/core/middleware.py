"""Middleware of our own that more than one stack uses."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse


class AnonymousUserMiddleware:
    """For requests that carry no session (config/wsgi.py): ``request.user`` is anonymous until the API's
    token authentication replaces it — without loading a session to find that out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return self.get_response(request)
