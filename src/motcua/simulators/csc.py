"""A remote signing service speaking the Cloud Signature Consortium (CSC) API, v1 (1.0.4.0) and v2 (2.0.0.2),
for the demo and the tests (``motcua simulate csc --port 8701``). It holds the demo officials' keys from the
PKI directory and answers the same calls a licensed remote-signing provider (Decree 23/2025) answers:

* ``POST /oauth2/token`` — OAuth2 client-credentials grant → bearer token;
* ``POST /csc/{v1,v2}/info`` — the service (no token needed);
* ``credentials/list`` (``userID`` = username) → credential IDs; ``credentials/info`` → key, chain, SCAL;
* ``credentials/authorize`` (PIN when configured, hashes when SCAL 2) → SAD, single-use, short-lived;
* ``signatures/signHash`` → raw RSA PKCS#1 v1.5 signatures of the given hashes.

Errors are CSC/OAuth2 shaped: ``{"error": "...", "error_description": "..."}`` with 400 or 401.
A stand-in: the keys sit in files, a SAD is a random string kept in memory, nobody is asked on a phone.
Standard library HTTP server; ``cryptography`` signs."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SPECS = {"v1": "1.0.4.0", "v2": "2.0.0.2"}
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"  # the hash algorithm then comes from hashAlgo / hashAlgorithmOID
SIGN_ALGOS: dict[str, str | None] = {
    RSA_ENCRYPTION: None,
    "1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",  # sha256WithRSAEncryption
    "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
    "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
}
CA_NAMES = ("root", "issuing", "tsa")


class CscError(Exception):
    def __init__(self, error: str, description: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class Credential:
    credential_id: str
    user_id: str
    key: rsa.RSAPrivateKey
    certificates: tuple[x509.Certificate, ...]  # the signer's first, as the CSC API requires


def credentials_from_pki(directory: Path) -> dict[str, Credential]:
    """One credential per key in the PKI directory (except the CAs' and the TSA's), the username its user."""
    chain = tuple(
        x509.load_pem_x509_certificate((directory / f"{n}.crt.pem").read_bytes()) for n in ("issuing", "root")
    )
    found = {}
    for key_path in sorted(directory.glob("*.key.pem")):
        name = key_path.name.removesuffix(".key.pem")
        cert_path = directory / f"{name}.crt.pem"
        if name in CA_NAMES or not cert_path.exists():
            continue
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            continue
        # Opaque, stable identifiers, as real services use (never the username itself).
        credential_id = "MC-" + hashlib.sha256(name.encode()).hexdigest()[:16].upper()
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        found[credential_id] = Credential(credential_id, name, key, (cert, *chain))
    return found


@dataclass
class _Sad:
    credential_id: str
    remaining: int
    hashes: set[str] | None  # pinned hashes (SCAL 2), or None
    expires_at: float


@dataclass
class CscService:
    """The service's state and operations, independent of HTTP; thread-safe."""

    credentials: dict[str, Credential]
    clients: dict[str, str]  # OAuth2 client id → secret
    static_tokens: frozenset[str] = frozenset()
    pin: str = ""  # when set, credentials/authorize requires it (authMode explicit)
    scal: int = 2
    multisign: int = 10
    sad_lifetime: int = 300
    token_lifetime: int = 3600
    _tokens: dict[str, float] = field(default_factory=dict)
    _sads: dict[str, _Sad] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- OAuth2 ------------------------------------------------------------------------------------------
    def token_issue(self, *, client_id: str, client_secret: str, grant_type: str) -> dict[str, Any]:
        if grant_type != "client_credentials":
            raise CscError("unsupported_grant_type", "Only client_credentials is supported.")
        expected = self.clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), client_secret.encode()):
            raise CscError("invalid_client", "Unknown client or wrong secret.", HTTPStatus.UNAUTHORIZED)
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.token_lifetime
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}

    def token_check(self, authorization: str) -> None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise CscError("invalid_token", "A bearer token is required.", HTTPStatus.UNAUTHORIZED)
        if any(hmac.compare_digest(token.encode(), t.encode()) for t in self.static_tokens):
            return
        with self._lock:
            expires_at = self._tokens.get(token)
        if expires_at is None or expires_at <= time.time():
            raise CscError(
                "invalid_token", "The access token is invalid or expired.", HTTPStatus.UNAUTHORIZED
            )

    # --- CSC API -----------------------------------------------------------------------------------------
    def info(self, *, version: str, base_url: str) -> dict[str, Any]:
        methods = [
            "oauth2/token",
            "credentials/list",
            "credentials/info",
            "credentials/authorize",
            "signatures/signHash",
        ]
        answer: dict[str, Any] = {
            "specs": SPECS[version],
            "name": "Một Cửa CSC simulator",
            "logo": "",
            "region": "VN",
            "lang": "vi-VN",
            "description": "Dịch vụ ký số từ xa giả lập (chỉ dùng thử nghiệm) / remote signing stand-in",
            "authType": ["oauth2client"],
            "oauth2": base_url,
            "methods": methods,
        }
        if version == "v2":
            answer["signAlgorithms"] = {"algos": list(SIGN_ALGOS)}
        return answer

    def credentials_list(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = body.get("userID")
        ids = [c.credential_id for c in self.credentials.values() if user_id in (None, c.user_id)]
        return {"credentialIDs": ids}

    def credentials_info(self, body: dict[str, Any], *, version: str) -> dict[str, Any]:
        credential = self._credential(body)
        mode = body.get("certificates", "single")
        certs = {"none": (), "single": credential.certificates[:1]}.get(mode, credential.certificates)
        signer = credential.certificates[0]
        answer: dict[str, Any] = {
            "description": f"Chữ ký số của {credential.user_id}",
            "key": {"status": "enabled", "algo": list(SIGN_ALGOS), "len": credential.key.key_size},
            "cert": {
                "status": "valid",
                "certificates": [
                    base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs
                ],
                "issuerDN": signer.issuer.rfc4514_string(),
                "serialNumber": format(signer.serial_number, "x"),
                "subjectDN": signer.subject.rfc4514_string(),
                "validFrom": signer.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": signer.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            },
            "SCAL": str(self.scal),
            "multisign": self.multisign if version == "v2" else str(self.multisign),
            "lang": "vi-VN",
        }
        mode_name = "explicit" if self.pin else "implicit"
        if version == "v2":
            objects = [{"type": "Password", "id": "PIN", "format": "N", "label": "PIN"}] if self.pin else []
            answer["auth"] = {"mode": mode_name, "objects": objects}
        else:
            answer["authMode"] = mode_name
            if self.pin:
                answer["PIN"] = {"presence": "true", "format": "N", "label": "PIN"}
        return answer

    def credentials_authorize(self, body: dict[str, Any], *, version: str) -> dict[str, Any]:
        credential = self._credential(body)
        try:
            count = int(body.get("numSignatures", 0))
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= self.multisign:
            raise CscError("invalid_request", f"numSignatures must be between 1 and {self.multisign}.")
        pinned = body.get("hashes" if version == "v2" else "hash")
        if pinned is not None and (not isinstance(pinned, list) or len(pinned) != count):
            raise CscError("invalid_request", "The hashes must be a list of numSignatures values.")
        if self.scal == 2 and pinned is None:
            raise CscError("invalid_request", "SCAL 2: the hashes to sign must be given.")
        if self.pin:
            if version == "v2":
                given = next(
                    (d.get("value", "") for d in body.get("authData") or [] if d.get("id") == "PIN"), ""
                )
            else:
                given = body.get("PIN") or ""
            if not hmac.compare_digest(str(given).encode(), self.pin.encode()):
                raise CscError("invalid_request", "Sai PIN / The PIN is not correct.")
        sad = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._sads = {s: v for s, v in self._sads.items() if v.expires_at > now}
            self._sads[sad] = _Sad(
                credential_id=credential.credential_id,
                remaining=count,
                hashes=set(pinned) if pinned is not None else None,
                expires_at=now + self.sad_lifetime,
            )
        return {"SAD": sad, "expiresIn": self.sad_lifetime}

    def signatures_sign_hash(self, body: dict[str, Any], *, version: str) -> dict[str, Any]:
        credential = self._credential(body)
        b64_hashes = body.get("hashes" if version == "v2" else "hash")
        if not isinstance(b64_hashes, list) or not b64_hashes:
            raise CscError("invalid_request", "Missing hashes to sign.")
        hash_oid = body.get("hashAlgorithmOID" if version == "v2" else "hashAlgo")
        sign_algo = body.get("signAlgo")
        if sign_algo not in SIGN_ALGOS:
            raise CscError("invalid_request", f"Unsupported signAlgo {sign_algo!r}.")
        implied = SIGN_ALGOS[sign_algo]
        if implied is not None and hash_oid not in (None, implied):
            raise CscError("invalid_request", "hashAlgo does not match signAlgo.")
        hash_oid = implied or hash_oid
        if hash_oid not in HASHES:
            raise CscError("invalid_request", f"Unsupported hash algorithm {hash_oid!r}.")
        algorithm = HASHES[hash_oid]()
        digests = []
        for value in b64_hashes:
            try:
                digest = base64.b64decode(str(value), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise CscError("invalid_request", "A hash is not valid base64.") from exc
            if len(digest) != algorithm.digest_size:
                raise CscError("invalid_request", "A hash has the wrong length for its algorithm.")
            digests.append(digest)
        self._sad_use(str(body.get("SAD") or ""), credential.credential_id, [str(h) for h in b64_hashes])
        signatures = [
            credential.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm)) for digest in digests
        ]
        return {"signatures": [base64.b64encode(s).decode() for s in signatures]}

    def _credential(self, body: dict[str, Any]) -> Credential:
        credential = self.credentials.get(str(body.get("credentialID") or ""))
        if credential is None:
            raise CscError("invalid_request", "Invalid parameter credentialID.")
        return credential

    def _sad_use(self, sad: str, credential_id: str, b64_hashes: list[str]) -> None:
        with self._lock:
            grant = self._sads.get(sad)
            if grant is None or grant.credential_id != credential_id:
                raise CscError("invalid_request", "Invalid Signature Activation Data (SAD).")
            if grant.expires_at <= time.time():
                del self._sads[sad]
                raise CscError("invalid_request", "The Signature Activation Data (SAD) has expired.")
            if grant.hashes is not None and not set(b64_hashes) <= grant.hashes:
                raise CscError("invalid_request", "The hashes were not authorised by this SAD.")
            if len(b64_hashes) > grant.remaining:
                raise CscError("invalid_request", "The SAD does not authorise that many signatures.")
            grant.remaining -= len(b64_hashes)
            if grant.hashes is not None:
                grant.hashes -= set(b64_hashes)
            if grant.remaining == 0:
                del self._sads[sad]

    # --- dispatch ----------------------------------------------------------------------------------------
    def handle(self, *, path: str, body: dict[str, Any], authorization: str, base_url: str) -> dict[str, Any]:
        parts = path.strip("/").split("/", 2)
        if len(parts) < 3 or parts[0] != "csc" or parts[1] not in SPECS:
            raise CscError("invalid_request", f"Unknown endpoint {path}.", HTTPStatus.NOT_FOUND)
        version, endpoint = parts[1], parts[2]
        if endpoint == "info":
            return self.info(version=version, base_url=base_url)
        self.token_check(authorization)
        if endpoint == "credentials/list":
            return self.credentials_list(body)
        if endpoint == "credentials/info":
            return self.credentials_info(body, version=version)
        if endpoint == "credentials/authorize":
            return self.credentials_authorize(body, version=version)
        if endpoint == "signatures/signHash":
            return self.signatures_sign_hash(body, version=version)
        raise CscError("invalid_request", f"Unknown endpoint {path}.", HTTPStatus.NOT_FOUND)


def _handler_for(service: CscService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MotcuaCSC/1"

        def do_POST(self) -> None:
            try:
                raw = self._body()
                if self.path.rstrip("/") == "/oauth2/token":
                    answer = service.token_issue(**self._client_credentials(raw))
                else:
                    body = json.loads(raw or b"{}")
                    if not isinstance(body, dict):
                        raise CscError("invalid_request", "The body must be a JSON object.")
                    host = self.headers.get("Host")
                    answer = service.handle(
                        path=urllib.parse.urlsplit(self.path).path,
                        body=body,
                        authorization=self.headers.get("Authorization") or "",
                        base_url=f"http://{host}" if host else server_url(self.server),
                    )
            except CscError as exc:
                self._json(exc.status, {"error": exc.error, "error_description": exc.description})
            except (ValueError, UnicodeDecodeError):
                self._json(
                    HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "error_description": "Bad JSON."}
                )
            except Exception:  # a stand-in still answers in the protocol, never with a stack trace
                logger.exception("CSC simulator: internal error on %s", self.path)
                self._json(
                    HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "server_error", "error_description": ""}
                )
            else:
                self._json(HTTPStatus.OK, answer)

        def do_GET(self) -> None:
            # A health check for scripts and people.
            self._json(
                HTTPStatus.OK, {"name": "Một Cửa CSC simulator", "credentials": len(service.credentials)}
            )

        def _body(self) -> bytes:
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                raise CscError("invalid_request", "Missing or oversized body.")
            return self.rfile.read(length)

        def _client_credentials(self, raw: bytes) -> dict[str, str]:
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type == "application/json":
                fields = {k: str(v) for k, v in json.loads(raw or b"{}").items()}
            else:
                fields = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() == "basic":  # RFC 6749 §2.3.1 lets the client authenticate either way
                try:
                    user, _, password = base64.b64decode(encoded).decode().partition(":")
                except (binascii.Error, UnicodeDecodeError) as exc:
                    raise CscError(
                        "invalid_client", "Bad Basic credentials.", HTTPStatus.UNAUTHORIZED
                    ) from exc
                fields.setdefault("client_id", urllib.parse.unquote(user))
                fields.setdefault("client_secret", urllib.parse.unquote(password))
            return {
                "client_id": fields.get("client_id", ""),
                "client_secret": fields.get("client_secret", ""),
                "grant_type": fields.get("grant_type", ""),
            }

        def _json(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("CSC %s: " + format, self.address_string(), *args)

    return Handler


def csc_server(*, service: CscService, host: str = "127.0.0.1", port: int = 8701) -> ThreadingHTTPServer:
    """A bound (not yet serving) server; ``port=0`` picks a free port (``server.server_address[1]``)."""
    server = ThreadingHTTPServer((host, port), _handler_for(service))
    server.daemon_threads = True
    return server


def server_url(server: socketserver.BaseServer) -> str:
    address = server.server_address
    assert isinstance(address, tuple)
    return f"http://{address[0]}:{address[1]}"


def csc_serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (tests); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name="motcua-csc", daemon=True)
    thread.start()
    return thread
