"""The WSGI entry point (granian serves ``motcua.config.wsgi:application``).

API calls that carry no session cookie — integrators with a bearer token, the public status look-up, the
national portal, the payment platform's server-to-server notification (IPN) — go through a shorter
middleware stack: with no session there is no user to load, no
second factor to enforce, no flash messages and no page language to pick, and those middlewares cost
about a third of a status look-up. Everything else, including every API call made from a browser
session (where the two-factor rule applies), goes through the full stack in ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

from motcua.core.processes import exit_with_parent

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

# A granian worker ends with its master, so a killed master leaves no worker holding the port.
exit_with_parent()
full_application = get_wsgi_application()

# The checks that protect every response stay: outage answers, the size cap, allowed hosts (CommonMiddleware),
# security headers, CSP.
API_WITHOUT_SESSION_MIDDLEWARE = [
    "motcua.core.requestid.RequestIdMiddleware",
    "motcua.operations.metrics.MetricsMiddleware",
    "motcua.core.middleware.OutageMiddleware",
    "motcua.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "motcua.core.middleware.AnonymousUserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]


class SessionlessApiHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; this runs once, at start-up, before any request.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = API_WITHOUT_SESSION_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


api_application = SessionlessApiHandler()
# The API, and the payment platform's notification: a server's call authenticated by its HMAC signature,
# which never has a session (the payer's browser comes back on another path, ``thanh-toan/ket-qua/``).
_SESSIONLESS_PREFIXES = ("/api/v1/", "/thanh-toan/vnpay/ipn/")


def uses_session(environ: dict[str, Any]) -> bool:
    return f"{settings.SESSION_COOKIE_NAME}=" in environ.get("HTTP_COOKIE", "")


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO", "").startswith(_SESSIONLESS_PREFIXES) and not uses_session(environ):
        return api_application(environ, start_response)
    return full_application(environ, start_response)


# Load the URLconf (and with it the API, pyHanko, typst …) now, in each worker as it starts, rather than on
# its first request: otherwise the first citizens after a (re)start wait seconds for the imports.
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# Everything loaded so far (Django, the API, the URLconf, pyHanko …) lives as long as the worker: move it
# out of the collector's generations, so a full collection during a request scans only what requests
# allocated — shorter pauses in the slowest 1 % of answers.
gc.freeze()
