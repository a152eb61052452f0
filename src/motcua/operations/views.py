"""Probes and metrics for the operations team: thin views over ``health`` and ``metrics``."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from motcua.operations.health import readiness
from motcua.operations.metrics import metrics_exposition


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serves requests; nothing else is checked."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when every part works, else 503 with the failing parts named in ``failing``."""
    results = readiness()
    failing = [r.name for r in results if not r.ok]
    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {
            r.name: {"ok": r.ok, "detail": r.detail, "ms": round(r.seconds * 1000, 1)} for r in results
        },
    }
    return JsonResponse(body, status=503 if failing else 200, json_dumps_params={"ensure_ascii": False})


def metrics_allowed(request: HttpRequest) -> bool:
    """With ``MOTCUA_METRICS_TOKEN`` set: the bearer token. Without: a direct call from this machine only
    (a request relayed by a proxy, which adds X-Forwarded-For, is refused even from 127.0.0.1)."""
    token = str(settings.MOTCUA_METRICS_TOKEN)
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
