"""A local stand-in for the VNeID OpenID Connect provider (``motcua sim-vneid serve --port 8716``).

It speaks OpenID Connect Core 1.0 as a real provider does, so the portal's client (Authlib, identity/vneid.py)
is the code that would talk to the national e-identity platform, pointed at another URL:

* ``GET /.well-known/openid-configuration`` — the discovery document;
* ``GET /jwks`` — the RSA public key (JWK) the ID tokens are signed with (RS256);
* ``GET /authorize`` — authorization code flow with PKCE (``S256`` only, required): a login page listing the
  seeded synthetic citizens; ``POST /authorize`` picks one and redirects back with ``code`` and ``state``;
* ``POST /token`` — code + ``code_verifier`` + client authentication (HTTP Basic or form) → access token
  and a signed ID token with the claims VNeID gives a relying party: the 12-digit personal ID number, full
  name, date of birth, and the identification level (``acr``; level 2 = verified in person, chip card);
* ``GET /userinfo`` — the same claims for the access token.

Claim names: the standard ones (``name``, ``birthdate``, ``acr``) plus VNeID-style ``so_dinh_danh``,
``ho_va_ten``, ``ngay_sinh``, ``muc_do_dinh_danh`` — the real provider's names are not public (an
assumption, docs/identity-and-data.md); the client maps them by setting (MOTCUA_VNEID_CLAIM_*), and
``claim_names`` makes the simulator issue a province's configured names as well.

For the demo and the tests of the client's checks the provider can be told to misbehave on the next
tokens (``fault``: ``bad_signature``, ``wrong_audience``, ``wrong_nonce``, ``expired``); the login page
offers the same choice. Standard library HTTP server and ``cryptography`` only — a stand-in, not an
identity provider.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

logger = logging.getLogger(__name__)

FAULTS = ("", "bad_signature", "wrong_audience", "wrong_nonce", "expired")
CODE_TTL_SECONDS = 120
TOKEN_TTL_SECONDS = 600
MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True)
class Citizen:
    id_number: str
    full_name: str
    birth_date: str  # ISO date
    level: str = "2"


# Synthetic people: the demo citizens (accounts "an", "lan") and some without an account here yet.
CITIZENS: tuple[Citizen, ...] = (
    Citizen("001090012345", "Nguyễn Văn An", "1990-03-15"),
    Citizen("001195006789", "Trần Thị Lan", "1995-07-20"),
    Citizen("031088004512", "Phạm Quốc Bảo", "1988-01-23"),
    Citizen("079197001234", "Lê Thị Mai", "1997-11-30"),
    Citizen("001201000777", "Đỗ Minh Khôi", "2001-07-07", level="1"),
)


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _sign_rs256(key: rsa.RSAPrivateKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = (
        _b64(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64(signature)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    citizen: Citizen
    nonce: str
    code_challenge: str
    expires: float


@dataclass
class VneidProvider:
    """The provider's state: its key, its registered clients, pending codes, issued access tokens."""

    issuer: str
    clients: dict[str, Client]
    citizens: tuple[Citizen, ...] = CITIZENS
    now: Callable[[], float] = time.time
    fault: str = ""
    # Field ("id_number", "full_name", "birth_date", "level") -> an extra claim name to issue it under.
    claim_names: dict[str, str] = field(default_factory=dict)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    issued: int = 0
    _codes: dict[str, _Grant] = field(default_factory=dict)
    _tokens: dict[str, tuple[Citizen, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.issuer = self.issuer.rstrip("/")
        self.kid = hashlib.sha256(_int_b64(self.key.public_key().public_numbers().n).encode()).hexdigest()[
            :16
        ]

    # --- documents -----------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["1", "2"],
            "claims_supported": [
                "sub",
                "name",
                "birthdate",
                "acr",
                "so_dinh_danh",
                "ho_va_ten",
                "ngay_sinh",
                "muc_do_dinh_danh",
                *sorted({n for n in self.claim_names.values() if n}),
            ],
        }

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "n": _int_b64(numbers.n),
                    "e": _int_b64(numbers.e),
                }
            ]
        }

    def citizen(self, id_number: str) -> Citizen | None:
        return next((c for c in self.citizens if c.id_number == id_number), None)

    # --- the flow ------------------------------------------------------------------------------

    def authorize_check(self, params: dict[str, str]) -> str:
        """ "" when the authorization request is acceptable, else an error text (shown, never redirected:
        a bad client or redirect URI must not become an open redirect)."""
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            return "unknown client_id"
        if params.get("redirect_uri") not in client.redirect_uris:
            return "redirect_uri not registered for this client"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        return ""

    def code_issue(self, params: dict[str, str], citizen: Citizen) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Grant(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                citizen=citizen,
                nonce=params.get("nonce", ""),
                code_challenge=params["code_challenge"],
                expires=self.now() + CODE_TTL_SECONDS,
            )
        return code

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:]).decode()
            except ValueError:
                decoded = ":"
            client_id, _, client_secret = decoded.partition(":")
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
        if grant is None or grant.expires < self.now() or grant.client_id != client_id:
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access_token = secrets.token_urlsafe(32)
        issued_at = int(self.now())
        with self._lock:
            self._tokens[access_token] = (grant.citizen, issued_at + TOKEN_TTL_SECONDS)
            self.issued += 1
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECONDS,
            "scope": "openid profile",
            "id_token": self._id_token(grant, client_id, issued_at),
        }

    def _claims(self, citizen: Citizen) -> dict[str, Any]:
        claims = {
            "sub": self.subject(citizen),
            "name": citizen.full_name,
            "birthdate": citizen.birth_date,
            "acr": citizen.level,
            "so_dinh_danh": citizen.id_number,
            "ho_va_ten": citizen.full_name,
            "ngay_sinh": citizen.birth_date,
            "muc_do_dinh_danh": citizen.level,
        }
        # A province that renamed the claims (MOTCUA_VNEID_CLAIM_*) gets them under its names as well.
        values = {
            "id_number": citizen.id_number,
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date,
            "level": citizen.level,
        }
        for what, name in self.claim_names.items():
            if what in values and name:
                claims[name] = values[what]
        return claims

    def subject(self, citizen: Citizen) -> str:
        """A pairwise subject: stable for one person at this provider, not the ID number itself."""
        return hashlib.sha256(f"{self.issuer}|{citizen.id_number}".encode()).hexdigest()[:32]

    def _id_token(self, grant: _Grant, client_id: str, issued_at: int) -> str:
        fault = self.fault
        claims = {
            "iss": self.issuer,
            "aud": "another-relying-party" if fault == "wrong_audience" else client_id,
            "iat": issued_at,
            "auth_time": issued_at,
            "exp": issued_at + TOKEN_TTL_SECONDS,
            "nonce": "not-the-nonce-you-sent" if fault == "wrong_nonce" else grant.nonce,
            **self._claims(grant.citizen),
        }
        if fault == "expired":
            claims["iat"] = claims["auth_time"] = issued_at - 2 * 3600
            claims["exp"] = issued_at - 3600
        key = self.key
        if fault == "bad_signature":
            key = rsa.generate_private_key(65537, 2048)  # same kid, another key: the signature fails
        return _sign_rs256(key, {"alg": "RS256", "typ": "JWT", "kid": self.kid}, claims)

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
        with self._lock:
            found = self._tokens.get(token)
        if found is None or found[1] < self.now():
            return 401, {"error": "invalid_token"}
        return 200, self._claims(found[0])

    # --- the login page --------------------------------------------------------------------------

    def login_page(self, params: dict[str, str]) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        rows = "".join(
            f'<li><button type="submit" name="citizen" value="{c.id_number}">{html.escape(c.full_name)}'
            f" — {c.id_number} — {c.birth_date} — mức {c.level}</button></li>"
            for c in self.citizens
        )
        faults = "".join(f'<option value="{f}">{f or "không (bình thường)"}</option>' for f in FAULTS)
        return (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            "<title>VNeID (mô phỏng) — Đăng nhập</title></head><body>"
            "<h1>Đăng nhập bằng tài khoản định danh điện tử VNeID (mô phỏng)</h1>"
            "<p>Dữ liệu tổng hợp, không phải người thật. Chọn công dân để xác nhận đăng nhập.</p>"
            f'<form method="post" action="/authorize">{hidden}<ul>{rows}</ul>'
            f'<p><label>Mô phỏng lỗi mã thông báo: <select name="fault">{faults}</select></label></p>'
            '<p><button type="submit" name="deny" value="1">Từ chối</button></p></form></body></html>'
        )


def _handler_for(provider: VneidProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MotcuaVNeIDSim/1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                problem = provider.authorize_check(params)
                if problem:
                    self._text(400, f"invalid_request: {problem}\n")
                else:
                    self._html(200, provider.login_page(params))
            elif url.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization") or ""))
            elif url.path == "/":
                self._text(
                    200, f"VNeID OIDC simulator: {provider.issuer}; {provider.issued} token(s) issued\n"
                )
            else:
                self._text(404, "not found\n")

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self._text(400, "oversized body\n")
                return
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
            if url.path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization") or ""))
            elif url.path == "/authorize":
                self._authorize_post(form)
            else:
                self._text(404, "not found\n")

        def _authorize_post(self, form: dict[str, str]) -> None:
            problem = provider.authorize_check(form)
            if problem:
                self._text(400, f"invalid_request: {problem}\n")
                return
            state = {"state": form["state"]} if form.get("state") else {}
            if form.get("deny"):
                self._redirect(form["redirect_uri"], {"error": "access_denied", **state})
                return
            citizen = provider.citizen(form.get("citizen", ""))
            if citizen is None:
                self._text(400, "unknown citizen\n")
                return
            if form.get("fault") in FAULTS:
                provider.fault = form["fault"]
            self._redirect(form["redirect_uri"], {"code": provider.code_issue(form, citizen), **state})

        def _redirect(self, uri: str, query: dict[str, str]) -> None:
            sep = "&" if "?" in uri else "?"
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"{uri}{sep}{urlencode(query)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

        def _html(self, status: int, text: str) -> None:
            self._send(status, text.encode(), "text/html; charset=utf-8")

        def _text(self, status: int, text: str) -> None:
            self._send(status, text.encode(), "text/plain; charset=utf-8")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("VNeID sim %s: " + format, self.address_string(), *args)

    return Handler


def vneid_server(
    *,
    issuer: str,
    clients: dict[str, Client],
    host: str = "127.0.0.1",
    port: int = 8716,
    claim_names: dict[str, str] | None = None,
) -> tuple[ThreadingHTTPServer, VneidProvider]:
    """A bound (not yet serving) server and its provider. With ``port=0`` a free port is taken and the
    issuer is rewritten to it (``issuer`` then only gives the scheme and host). ``claim_names``: extra
    claim names per field (the portal's MOTCUA_VNEID_CLAIM_* mapping)."""
    provider = VneidProvider(issuer=issuer, clients=clients, claim_names=dict(claim_names or {}))
    server = ThreadingHTTPServer((host, port), _handler_for(provider))
    server.daemon_threads = True
    if port == 0:
        base = urlsplit(issuer)
        provider.issuer = f"{base.scheme}://{base.hostname}:{server.server_address[1]}"
    return server, provider


def vneid_serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (tests); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name="motcua-vneid", daemon=True)
    thread.start()
    return thread
