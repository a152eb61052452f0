"""The gateway process's own views: ``POST /oauth/token``, ``<METHOD> /r/<service>/<rest>`` and
``GET /healthz`` (CONTRACTS.md, docs/integration.md). Machine-to-machine: no session, no CSRF (the
handler in wsgi.py runs no middleware); errors are JSON."""

from __future__ import annotations

import base64
import binascii
import json
import urllib.parse

from django.http import HttpRequest, HttpResponse, JsonResponse

from motcua.gateway.services import MAX_BODY_BYTES, GatewayError, Incoming, OAuthError, exchange, token_issue


def _json_error(error: GatewayError) -> HttpResponse:
    response = HttpResponse(error.body(), status=error.status, content_type="application/json")
    for name, value in error.headers.items():
        response[name] = value
    return response


def token(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"error": "invalid_request", "error_description": "POST only"}, status=405)
    form = urllib.parse.parse_qs(request.body.decode("utf-8", "replace"))

    def field(name: str) -> str:
        return form.get(name, [""])[0]

    client_id, client_secret = field("client_id"), field("client_secret")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
            client_id, client_secret = urllib.parse.unquote(user), urllib.parse.unquote(password)
        except (binascii.Error, UnicodeDecodeError):
            return JsonResponse(
                {"error": "invalid_client", "error_description": "bad Basic header"}, status=401
            )
    if field("grant_type") != "client_credentials":
        return JsonResponse(
            {"error": "unsupported_grant_type", "error_description": "only client_credentials"}, status=400
        )
    try:
        answer = token_issue(client_id=client_id, client_secret=client_secret, scope=field("scope"))
    except OAuthError as error:
        response = JsonResponse(
            {"error": error.code, "error_description": error.description}, status=error.status
        )
        if error.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="lgsp"'
        return response
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


def route(request: HttpRequest, service_code: str, rest: str) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _json_error(
            GatewayError(413, "payload_too_large", "Dữ liệu gửi quá lớn.", "Request body too large.")
        )
    prefer = request.headers.get("Prefer", "")
    answer = exchange(
        Incoming(
            method=request.method or "GET",
            service_code=service_code,
            rest=rest,
            query=request.META.get("QUERY_STRING", ""),
            body=request.body,
            content_type=request.headers.get("Content-Type", ""),
            authorization=request.headers.get("Authorization", ""),
            message_id=request.headers.get("X-Message-Id", "").strip(),
            purpose=request.headers.get("X-Purpose", ""),
            prefer_async="respond-async" in prefer,
        )
    )
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type or None)
    if not answer.content_type:
        del response["Content-Type"]
    for name, value in answer.headers.items():
        response[name] = value
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps({"status": "ok"}), content_type="application/json")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _json_error(
        GatewayError(404, "not_found", "Không có địa chỉ này.", "No such path on the gateway.")
    )
