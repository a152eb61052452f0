"""Remote signing through the CSC API: our adapter against the simulator, served on 127.0.0.1 in a thread."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.signatures.providers.csc import CscConfig, CscSigner, csc_cache_clear
from motcua.signatures.render import document_render
from motcua.signatures.signing import PkiFiles, SigningError
from motcua.signatures.tests.test_signing import DATA
from motcua.signatures.verification import pdf_verify
from motcua.simulators.csc import CscService, credentials_from_pki, csc_serve_in_thread, csc_server

CLIENT_ID, SECRET, PIN = "motcua-test", "s3cret-for-tests", "8642"


@contextlib.contextmanager
def _serving(service: CscService) -> Iterator[str]:
    server = csc_server(service=service, host="127.0.0.1", port=0)
    csc_serve_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _service(pki_dir: Path, **kwargs: Any) -> CscService:
    return CscService(
        credentials=credentials_from_pki(pki_dir), clients={CLIENT_ID: SECRET}, pin=PIN, **kwargs
    )


@pytest.fixture(scope="module")
def csc_url(pki_dir: Path) -> Iterator[str]:
    with _serving(_service(pki_dir)) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    csc_cache_clear()
    yield
    csc_cache_clear()


def _config(url: str, **overrides: Any) -> CscConfig:
    values: dict[str, Any] = {"url": url, "client_id": CLIENT_ID, "client_secret": SECRET, "pin": PIN}
    return CscConfig(**(values | overrides))


def _sign(pki_dir: Path, config: CscConfig, *, name: str = "dung", field: str = "ChuKy") -> bytes:
    provider = CscSigner(pki=PkiFiles(pki_dir), name=name, config=config)
    return provider.sign(
        pdf=document_render(template="receipt", data=DATA),
        reason="Phê duyệt",
        location="Minh Sơn",
        field_name=field,
    )


def _verify(pdf: bytes, pki_dir: Path) -> dict:  # type: ignore[type-arg]
    return pdf_verify(
        pdf=pdf, trust_roots=[pki_dir / "root.crt.pem"], intermediates=[pki_dir / "issuing.crt.pem"]
    )


@pytest.mark.parametrize("api_version", ["v1", "v2"])
def test_a_document_signed_remotely_is_intact_valid_and_trusted(
    csc_url: str, pki_dir: Path, api_version: str
) -> None:
    signed = _sign(pki_dir, _config(csc_url, api_version=api_version))
    report = _verify(signed, pki_dir)
    assert report["all_valid"]
    signature = report["signatures"][0]
    assert (signature["intact"], signature["valid"], signature["trusted"]) == (True, True, True)
    assert "Hoàng Văn Dũng" in signature["signer"]
    assert signature["timestamp_trusted"]


def test_a_configured_bearer_token_replaces_the_client_credentials(pki_dir: Path) -> None:
    service = _service(pki_dir, static_tokens=frozenset({"tok-123"}))
    with _serving(service) as url:
        signed = _sign(pki_dir, CscConfig(url=url, token="tok-123", pin=PIN))
    assert _verify(signed, pki_dir)["all_valid"]


def test_threads_sign_at_once_with_one_token(csc_url: str, pki_dir: Path) -> None:
    config = _config(csc_url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: _sign(pki_dir, config, field=f"F{i}"), range(6)))
    assert all(_verify(signed, pki_dir)["all_valid"] for signed in results)


def test_a_wrong_client_secret_is_refused(csc_url: str, pki_dir: Path) -> None:
    with pytest.raises(SigningError, match="invalid_client") as excinfo:
        _sign(pki_dir, _config(csc_url, client_secret="wrong"))
    assert excinfo.value.permanent


def test_an_official_without_a_credential_cannot_sign(csc_url: str, pki_dir: Path) -> None:
    with pytest.raises(SigningError, match="holds no credential for 'khongco'"):
        _sign(pki_dir, _config(csc_url), name="khongco")


def test_a_wrong_pin_gets_no_sad(csc_url: str, pki_dir: Path) -> None:
    with pytest.raises(SigningError, match=r"credentials/authorize \(HTTP 400\).*PIN is not correct"):
        _sign(pki_dir, _config(csc_url, pin="0000"))


def test_an_expired_sad_is_refused_by_sign_hash(pki_dir: Path) -> None:
    with (
        _serving(_service(pki_dir, sad_lifetime=0)) as url,
        pytest.raises(SigningError, match=r"signatures/signHash \(HTTP 400\).*SAD\) has expired"),
    ):
        _sign(pki_dir, _config(url))


def test_an_expired_certificate_cannot_sign_remotely(csc_url: str, pki_dir: Path) -> None:
    with (
        time_machine.travel(dt.datetime(2035, 1, 1, tzinfo=dt.UTC)),
        pytest.raises(SigningError, match="hết hạn"),
    ):
        CscSigner(pki=PkiFiles(pki_dir), name="dung", config=_config(csc_url))


def test_an_unreachable_service_is_a_transient_error(pki_dir: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SigningError, match="Cannot reach") as excinfo:
        CscSigner(pki=PkiFiles(pki_dir), name="dung", config=_config(f"http://127.0.0.1:{port}"))
    assert not excinfo.value.permanent


def test_the_factory_picks_the_remote_service_from_settings(csc_url: str, pki_dir: Path, settings) -> None:
    from motcua.signatures.providers import signer_provider_for

    settings.MOTCUA_SIGNER_PROVIDER = "csc"
    settings.MOTCUA_CSC_URL = csc_url
    settings.MOTCUA_CSC_CLIENT_ID, settings.MOTCUA_CSC_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.MOTCUA_CSC_PIN = PIN
    assert isinstance(signer_provider_for("dung", pki=PkiFiles(pki_dir)), CscSigner)
    settings.MOTCUA_SIGNER_PROVIDER = "nowhere"
    with pytest.raises(SigningError, match="not one of software, pkcs11, csc"):
        signer_provider_for("dung", pki=PkiFiles(pki_dir))


# --- the simulator's own rules, over plain HTTP -------------------------------------------------------------
def _post(url: str, body: dict[str, Any], token: str = "") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 — a loopback URL built by the test
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_sad_is_single_use_bound_to_its_hash_and_short_lived(csc_url: str) -> None:
    api = f"{csc_url}/csc/v1"
    _, answer = _post(
        f"{csc_url}/oauth2/token",
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET},
    )
    token = answer["access_token"]
    assert _post(f"{api}/credentials/list", {"userID": "dung"})[0] == 401  # no token
    credential = _post(f"{api}/credentials/list", {"userID": "dung"}, token)[1]["credentialIDs"][0]
    digest = base64.b64encode(hashlib.sha256(b"to be signed").digest()).decode()
    other = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()

    def authorize() -> str:
        body = {"credentialID": credential, "numSignatures": 1, "hash": [digest], "PIN": PIN}
        return str(_post(f"{api}/credentials/authorize", body, token)[1]["SAD"])

    def sign_hash(sad: str, value: str = digest) -> tuple[int, dict[str, Any]]:
        body = {
            "credentialID": credential,
            "SAD": sad,
            "hash": [value],
            "hashAlgo": "2.16.840.1.101.3.4.2.1",
            "signAlgo": "1.2.840.113549.1.1.1",
        }
        return _post(f"{api}/signatures/signHash", body, token)

    sad = authorize()
    assert sign_hash(sad, other)[1]["error_description"] == "The hashes were not authorised by this SAD."
    status, answer = sign_hash(sad)
    assert status == 200
    assert len(base64.b64decode(answer["signatures"][0])) == 256  # RSA-2048
    assert sign_hash(sad)[1]["error_description"] == "Invalid Signature Activation Data (SAD)."  # used up
    assert sign_hash("forged")[0] == 400
    with time_machine.travel(dt.datetime.now(tz=dt.UTC)) as traveller:
        sad = authorize()
        traveller.shift(dt.timedelta(minutes=6))
        assert "expired" in sign_hash(sad)[1]["error_description"]


def test_the_simulate_command_needs_a_pki(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="motcua pki demo"):
        call_command("simulate", "csc", f"--pki-dir={tmp_path}")
