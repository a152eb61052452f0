"""Signing with keys in a PKCS#11 token: a fresh SoftHSM2 token, filled by ``motcua pki softhsm``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from motcua.signatures.render import document_render
from motcua.signatures.signing import PkiFiles, SigningError
from motcua.signatures.tests.test_signing import DATA
from motcua.signatures.verification import pdf_verify

softhsm = pytest.importorskip("motcua.signatures.providers.softhsm")
MODULE = softhsm.softhsm_module_path()
pytestmark = pytest.mark.skipif(
    MODULE is None or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (libsofthsm2.so absent): scripts/system-packages test",
)

PIN = "246810"
LABEL = "motcua-test"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, pki_dir: Path) -> Iterator[str]:
    """A new SoftHSM2 token holding dung's key and certificate, created through the management command."""
    from motcua.signatures.providers.pkcs11 import pkcs11_sessions_close

    conf = softhsm.softhsm_config_write(tmp_path_factory.mktemp("softhsm"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        pkcs11_sessions_close(finalize=True)  # a library loaded earlier would still read the old config
        _import_command(pki_dir)
        yield LABEL
        pkcs11_sessions_close(finalize=True)


def _import_command(pki_dir: Path) -> None:
    from django.conf import settings

    # Only while the command runs: signing with the deployment's PKI directory would read the trust list.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "MOTCUA_PKI_DIR", str(pki_dir))
        call_command("pki", "softhsm", f"--module={MODULE}", f"--token-label={LABEL}", f"--pin={PIN}")


def _signer(pki_dir: Path, *, pin: str = PIN, name: str = "dung"):  # type: ignore[no-untyped-def]
    from motcua.signatures.providers.pkcs11 import Pkcs11Signer

    return Pkcs11Signer(pki=PkiFiles(pki_dir), name=name, module=MODULE, token_label=LABEL, pin=pin)


def _verify(pdf: bytes, pki_dir: Path) -> dict:  # type: ignore[type-arg]
    return pdf_verify(
        pdf=pdf, trust_roots=[pki_dir / "root.crt.pem"], intermediates=[pki_dir / "issuing.crt.pem"]
    )


def test_a_document_signed_in_the_token_is_intact_valid_and_trusted(token: str, pki_dir: Path) -> None:
    pdf = document_render(template="receipt", data=DATA)
    signed = _signer(pki_dir).sign(pdf=pdf, reason="Phê duyệt", location="Minh Sơn", field_name="ChuKy")
    report = _verify(signed, pki_dir)
    assert report["all_valid"]
    signature = report["signatures"][0]
    assert (signature["intact"], signature["valid"], signature["trusted"]) == (True, True, True)
    assert "Hoàng Văn Dũng" in signature["signer"]
    assert signature["timestamp_trusted"]


def test_the_session_is_shared_by_signers_and_threads(token: str, pki_dir: Path) -> None:
    from motcua.signatures.providers import pkcs11 as provider

    pdf = document_render(template="receipt", data=DATA)
    first, second = _signer(pki_dir), _signer(pki_dir)
    assert first.pyhanko_signer() is second.pyhanko_signer()  # one login, one key lookup
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda i: _signer(pki_dir).sign(pdf=pdf, reason="r", location="l", field_name=f"F{i}"),
                range(6),
            )
        )
    assert all(_verify(signed, pki_dir)["all_valid"] for signed in results)
    assert len(provider._TOKENS) == 1


def test_a_broken_session_is_reopened_on_the_next_signature(token: str, pki_dir: Path) -> None:
    pdf = document_render(template="receipt", data=DATA)
    signer = _signer(pki_dir)
    signer.pyhanko_signer().pkcs11_session.close()  # as if the HSM had restarted
    with pytest.raises(SigningError, match="thử lại") as excinfo:
        signer.sign(pdf=pdf, reason="r", location="l", field_name="A")
    assert excinfo.value.permanent is False
    signed = _signer(pki_dir).sign(pdf=pdf, reason="r", location="l", field_name="A")
    assert _verify(signed, pki_dir)["all_valid"]


def test_a_wrong_pin_is_a_clear_error(token: str, pki_dir: Path) -> None:
    with pytest.raises(SigningError, match="Wrong PIN for PKCS#11 token 'motcua-test'"):
        _signer(pki_dir, pin="000000")
    _signer(pki_dir)  # the right PIN works again afterwards


def test_an_unknown_label_or_token_is_a_clear_error(token: str, pki_dir: Path) -> None:
    from motcua.signatures.providers.pkcs11 import Pkcs11Signer

    with pytest.raises(SigningError, match="no key and certificate labelled 'khongco'"):
        _signer(pki_dir, name="khongco")
    with pytest.raises(SigningError, match="Cannot open PKCS#11 token 'other'"):
        Pkcs11Signer(pki=PkiFiles(pki_dir), name="dung", module=MODULE, token_label="other", pin=PIN)


def test_an_expired_certificate_in_the_token_cannot_sign(token: str, pki_dir: Path) -> None:
    with (
        time_machine.travel(dt.datetime(2035, 1, 1, tzinfo=dt.UTC)),
        pytest.raises(SigningError, match="hết hạn"),
    ):
        _signer(pki_dir)


def test_the_factory_picks_the_token_from_settings(token: str, pki_dir: Path, settings) -> None:
    from motcua.signatures.providers import signer_provider_for
    from motcua.signatures.providers.pkcs11 import Pkcs11Signer

    settings.MOTCUA_SIGNER_PROVIDER = "pkcs11"
    settings.MOTCUA_PKCS11_MODULE = MODULE
    settings.MOTCUA_PKCS11_TOKEN_LABEL = LABEL
    settings.MOTCUA_PKCS11_PIN = PIN
    provider = signer_provider_for("dung", pki=PkiFiles(pki_dir))
    assert isinstance(provider, Pkcs11Signer)
    assert os.environ["SOFTHSM2_CONF"].endswith("softhsm2.conf")


def test_the_command_replaces_objects_when_run_again(token: str, pki_dir: Path) -> None:
    _import_command(pki_dir)
    signed = _signer(pki_dir).sign(
        pdf=document_render(template="receipt", data=DATA), reason="r", location="l", field_name="B"
    )
    assert _verify(signed, pki_dir)["all_valid"]
