"""Keys at a remote signing service, through the Cloud Signature Consortium (CSC) API v1 or v2 and pyHanko's
``CSCSigner``. The same code talks to ``motcua simulate csc`` and to a licensed provider.

Flow: an OAuth2 client-credentials token (or a configured bearer token) → ``credentials/list`` with the
official's username as ``userID`` → ``credentials/info`` (certificate chain, algorithms, SCAL) → per
signature ``credentials/authorize`` with the hash (so SCAL 2 services accept it) → SAD →
``signatures/signHash``. Token and credential are cached per process; each signature opens its own HTTP
session, because pyHanko runs each signature in a new event loop and an aiohttp session belongs to one."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import aiohttp
from cryptography import x509
from django.conf import settings
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from motcua.signatures.signing import PkiFiles, SignerProvider, SigningError, certificate_check_usable

# A credential's certificate and algorithms change rarely; look again after this long.
CREDENTIAL_CACHE_SECONDS = 300
# Renew a token this long before the service says it expires.
TOKEN_MARGIN_SECONDS = 30
HASH_OIDS_BY_LENGTH = {
    32: "2.16.840.1.101.3.4.2.1",
    48: "2.16.840.1.101.3.4.2.2",
    64: "2.16.840.1.101.3.4.2.3",
}


@dataclass(frozen=True)
class CscConfig:
    url: str
    api_version: str = "v1"
    client_id: str = ""
    client_secret: str = ""
    token: str = ""
    pin: str = ""
    timeout: int = 30

    @classmethod
    def from_settings(cls) -> CscConfig:
        return cls(
            url=settings.MOTCUA_CSC_URL.rstrip("/"),
            api_version=settings.MOTCUA_CSC_API_VERSION,
            client_id=settings.MOTCUA_CSC_CLIENT_ID,
            client_secret=settings.MOTCUA_CSC_CLIENT_SECRET,
            token=settings.MOTCUA_CSC_TOKEN,
            pin=settings.MOTCUA_CSC_PIN,
            timeout=settings.MOTCUA_CSC_TIMEOUT_SECONDS,
        )

    def endpoint(self, name: str) -> str:
        return f"{self.url}/csc/{self.api_version}/{name}"


class _Errors:
    """The last error answer of the service during one signature, so that pyHanko's generic "request
    failed" can be replaced by what the service said (a wrong SAD, an unknown credential...)."""

    def __init__(self) -> None:
        self.last = ""
        self.permanent = False  # nothing refused yet: a failure without an answer is an outage

    async def middleware(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        response = await handler(request)
        if response.status >= 400:
            body = await response.read()
            self.last = _describe(request.url.path, response.status, body)
            self.permanent = _permanent(response.status, body)
        return response


def _describe(path: str, status: int, body: bytes) -> str:
    try:
        data = _json_object(body)
        detail = f"{data.get('error', '')}: {data.get('error_description', '')}".strip(": ")
    except ValueError:
        detail = body[:200].decode(errors="replace")
    return (
        f"Dịch vụ ký số từ xa từ chối / The remote signing service refused {path.rsplit('/csc/', 1)[-1]} "
        f"(HTTP {status}): {detail}"
    )


def _permanent(status: int, body: bytes) -> bool:
    """Whether trying again cannot help: a refusal can't; an outage, throttling or expired token can."""
    if status == 401:
        return b"invalid_token" not in body
    return 400 <= status < 500 and status not in (408, 429)


def _json_object(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _http(errors: _Errors) -> aiohttp.ClientSession:
    # trust_env=False: never through a proxy from the environment; the service URL is configured.
    return aiohttp.ClientSession(middlewares=(errors.middleware,), trust_env=False)


async def _post(
    http: aiohttp.ClientSession, config: CscConfig, url: str, *, headers: dict[str, str], **kwargs: Any
) -> dict[str, Any]:
    try:
        async with http.post(
            url, headers=headers, timeout=aiohttp.ClientTimeout(total=config.timeout), **kwargs
        ) as response:
            body = await response.read()
            if response.status >= 400:
                if response.status == 401:
                    _token_forget(config)
                raise SigningError(
                    _describe(urllib.parse.urlsplit(url).path, response.status, body),
                    permanent=_permanent(response.status, body),
                )
            return _json_object(body)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise SigningError(
            f"Không kết nối được dịch vụ ký số từ xa / Cannot reach the remote signing service at {url}: "
            f"{exc!r}",
            permanent=False,
        ) from exc
    except ValueError as exc:
        raise SigningError(f"Dịch vụ ký số trả lời sai định dạng / Not a JSON answer from {url}") from exc


# --- access token ----------------------------------------------------------------------------------------
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}
_CACHE_LOCK = threading.Lock()


def _token_forget(config: CscConfig) -> None:
    with _CACHE_LOCK:
        _TOKENS.pop((config.url, config.client_id), None)


async def _token(http: aiohttp.ClientSession, config: CscConfig) -> str:
    if config.token:
        return config.token
    if not (config.client_id and config.client_secret):
        raise SigningError(
            "Chưa cấu hình truy cập dịch vụ ký số từ xa / Set MOTCUA_CSC_TOKEN or "
            "MOTCUA_CSC_CLIENT_ID and MOTCUA_CSC_CLIENT_SECRET."
        )
    key = (config.url, config.client_id)
    with _CACHE_LOCK:
        cached = _TOKENS.get(key)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    # The service names its OAuth2 server in info (CSC §11.1); the token endpoint is <oauth2>/oauth2/token.
    info = await _post(http, config, config.endpoint("info"), headers={}, json={})
    oauth2 = str(info.get("oauth2") or config.url).rstrip("/")
    answer = await _post(
        http,
        config,
        f"{oauth2}/oauth2/token",
        headers={},
        data={
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
        },
    )
    token = str(answer.get("access_token") or "")
    if not token:
        raise SigningError("Dịch vụ ký số không cấp token / The service returned no access token.")
    lifetime = int(answer.get("expires_in") or 3600)
    with _CACHE_LOCK:
        _TOKENS[key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, 1))
    return token


# --- credential ------------------------------------------------------------------------------------------
_CREDENTIALS: dict[tuple[CscConfig, str], tuple[str, CSCCredentialInfo, float]] = {}


async def _credential_resolve(config: CscConfig, name: str) -> tuple[str, CSCCredentialInfo]:
    errors = _Errors()
    async with _http(errors) as http:
        headers = {"Authorization": f"Bearer {await _token(http, config)}"}
        body: dict[str, Any] = {"userID": name}
        if config.api_version == "v1":
            body["maxResults"] = 10
        listed = await _post(http, config, config.endpoint("credentials/list"), headers=headers, json=body)
        ids = listed.get("credentialIDs") or []
        if not ids:
            raise SigningError(
                f"Dịch vụ ký số từ xa không có chứng thư cho '{name}' / "
                f"The remote signing service holds no credential for '{name}'."
            )
        session_info = CSCServiceSessionInfo(
            service_url=config.url,
            credential_id=str(ids[0]),
            oauth_token=headers["Authorization"].removeprefix("Bearer "),
            api_ver=config.api_version,
        )
        try:
            info = await fetch_certs_in_csc_credential(http, session_info, timeout=config.timeout)
        except PyhankoSigningError as exc:
            raise SigningError(errors.last or f"credentials/info: {exc}", permanent=errors.permanent) from exc
    return str(ids[0]), info


def _credential_get(config: CscConfig, name: str) -> tuple[str, CSCCredentialInfo]:
    with _CACHE_LOCK:
        cached = _CREDENTIALS.get((config, name))
    if cached is not None and cached[2] > time.monotonic():
        return cached[0], cached[1]
    credential_id, info = asyncio.run(_credential_resolve(config, name))
    with _CACHE_LOCK:
        _CREDENTIALS[(config, name)] = (credential_id, info, time.monotonic() + CREDENTIAL_CACHE_SECONDS)
    return credential_id, info


def csc_cache_clear() -> None:
    """Forget tokens and credentials (tests; after the service's configuration changed)."""
    with _CACHE_LOCK:
        _TOKENS.clear()
        _CREDENTIALS.clear()


# --- signing ---------------------------------------------------------------------------------------------
class _Authorizer(CSCAuthorizationManager):
    """Asks for a SAD for exactly the hashes about to be signed (valid for SCAL 1 and SCAL 2), with the PIN
    when one is configured. The HTTP session and token are those of the signature in progress."""

    def __init__(
        self, session_info: CSCServiceSessionInfo, info: CSCCredentialInfo, config: CscConfig
    ) -> None:
        super().__init__(session_info, info)
        self.config = config
        self.http: aiohttp.ClientSession | None = None
        self.token = ""

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        assert self.http is not None
        self.token = await _token(self.http, self.config)
        if self.config.api_version == "v2":
            body: dict[str, Any] = {
                "credentialID": self.csc_session_info.credential_id,
                "numSignatures": len(hash_b64s),
                "hashes": hash_b64s,
                "hashAlgorithmOID": HASH_OIDS_BY_LENGTH.get(len(base64.b64decode(hash_b64s[0])), ""),
            }
            if self.config.pin:
                body["authData"] = [{"id": "PIN", "value": self.config.pin}]
        else:
            body = self.format_csc_auth_request(hash_b64s=hash_b64s, pin=self.config.pin or None)
        answer = await _post(
            self.http,
            self.config,
            self.csc_session_info.endpoint_url("credentials/authorize"),
            headers=self.auth_headers,
            json=body,
        )
        return self.parse_csc_auth_response(answer)


class _RemoteSigner(CSCSigner):
    """pyHanko's CSC signer with an HTTP session per signature and the service's own error messages."""

    def __init__(self, authorizer: _Authorizer) -> None:
        super().__init__(session=None, auth_manager=authorizer, sign_timeout=authorizer.config.timeout)  # type: ignore[arg-type]
        self.authorizer = authorizer

    async def format_csc_signing_req(self, tbs_hashes: list[str], digest_algorithm: str) -> dict[str, Any]:
        request: dict[str, Any] = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        if self.authorizer.config.api_version == "v2":  # pyHanko speaks 1.0.4.0; v2 renamed two fields
            request["hashes"] = request.pop("hash")
            request["hashAlgorithmOID"] = request.pop("hashAlgo")
        return request

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:
            return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
        errors = _Errors()
        async with _http(errors) as http:
            self.session = self.authorizer.http = http
            try:
                return await super().async_sign_raw(data, digest_algorithm)
            except PyhankoSigningError as exc:  # pyHanko logged the cause; say what the service answered
                if not errors.permanent:
                    _token_forget(self.authorizer.config)
                raise SigningError(
                    errors.last or f"signatures/signHash: {exc}", permanent=errors.permanent
                ) from exc
            finally:
                self.session = self.authorizer.http = None  # type: ignore[assignment]


class CscSigner(SignerProvider):
    """The official's credential at a remote signing service (CSC API), the username as ``userID``.
    Configured by MOTCUA_CSC_URL, MOTCUA_CSC_API_VERSION, MOTCUA_CSC_CLIENT_ID/_SECRET or MOTCUA_CSC_TOKEN,
    and MOTCUA_CSC_PIN, unless a ``CscConfig`` is given."""

    def __init__(self, *, pki: PkiFiles, name: str, config: CscConfig | None = None) -> None:
        super().__init__(pki=pki)
        self.config = config or CscConfig.from_settings()
        if not self.config.url:
            raise SigningError("Chưa cấu hình dịch vụ ký số từ xa / Set MOTCUA_CSC_URL.")
        if self.config.api_version not in ("v1", "v2"):
            raise SigningError("MOTCUA_CSC_API_VERSION phải là v1 hoặc v2 / must be v1 or v2.")
        self.credential_id, self.credential_info = _credential_get(self.config, name)
        self.certificate = x509.load_der_x509_certificate(self.credential_info.signing_cert.dump())
        certificate_check_usable(self.certificate)

    def pyhanko_signer(self) -> signers.Signer:
        certificate_check_usable(self.certificate)
        session_info = CSCServiceSessionInfo(
            service_url=self.config.url, credential_id=self.credential_id, api_ver=self.config.api_version
        )
        return _RemoteSigner(_Authorizer(session_info, self.credential_info, self.config))
