"""The managed trust list: what may enter it, how verification and signing follow it, the CRL refresh
(against a CA served from 127.0.0.1 in a thread — never the network), ``motcua pki demo`` and the admin."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.test import Client

from motcua.core.errors import ApplicationError
from motcua.signatures.models import RevocationList, TrustedCertificate
from motcua.signatures.pki import crl_write, pki_demo_build, pki_write
from motcua.signatures.revocation import revocation_list_store, revocation_lists_refresh
from motcua.signatures.services import document_verify
from motcua.signatures.signing import PkiFiles, SigningError, SoftwareSigner
from motcua.signatures.tests.test_tsa import blank_pdf
from motcua.signatures.trust import (
    trust_material_current,
    trusted_certificate_add,
    trusted_certificates_enable,
)
from motcua.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _pki(directory: Path) -> Path:
    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa")}), directory)
    return directory


@pytest.fixture(scope="module")
def pki_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _pki(tmp_path_factory.mktemp("pki-a"))


@pytest.fixture(scope="module")
def pki_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _pki(tmp_path_factory.mktemp("pki-b"))


@pytest.fixture(scope="module")
def signed_a(pki_a: Path) -> bytes:
    """Signed by dung of PKI A, validated against A's files (no database involved)."""
    return SoftwareSigner(pki=PkiFiles(pki_a), name="dung").sign(
        pdf=blank_pdf(), reason="Phê duyệt", location="Minh Sơn", field_name="ChuKyLanhDao"
    )


def _pem(directory: Path, name: str) -> str:
    return (directory / f"{name}.crt.pem").read_text()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def crl_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on 127.0.0.1 (where a CA publishes its CRLs), and its base URL."""
    public = tmp_path / "public"
    public.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(public)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield public, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _publish(pki: Path, public: Path) -> None:
    for name in ("root", "issuing"):
        (public / f"{name}.crl").write_bytes((pki / f"{name}.crl.der").read_bytes())


# --- what may enter the trust list -------------------------------------------------------------------


def test_a_root_ca_is_added_with_its_fingerprint_subject_and_validity(pki_a: Path) -> None:
    trusted = trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root", source="Thử nghiệm")
    cert = x509.load_pem_x509_certificate(_pem(pki_a, "root").encode())
    assert trusted.name == "Motcua Demo Root CA"
    assert "CN=Motcua Demo Root CA" in trusted.subject
    assert (
        trusted.fingerprint_sha256
        == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    )
    assert trusted.not_after == cert.not_valid_after_utc
    assert trusted.enabled
    assert trusted.crl_urls == []


def test_a_certificate_that_is_not_a_ca_is_refused(pki_a: Path) -> None:
    with pytest.raises(ApplicationError, match=r"không phải của tổ chức .*not a CA"):
        trusted_certificate_add(pem=_pem(pki_a, "dung"), kind="root")
    assert not TrustedCertificate.objects.exists()


def test_an_expired_ca_is_refused(pki_a: Path) -> None:
    with (
        time_machine.travel(dt.datetime(2045, 1, 1, tzinfo=dt.UTC)),
        pytest.raises(ApplicationError, match="hết hạn / The certificate has expired"),
    ):
        trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root")


def test_the_same_certificate_twice_is_refused(pki_a: Path) -> None:
    trusted_certificate_add(pem=_pem(pki_a, "issuing"), kind="intermediate")
    with pytest.raises(ApplicationError, match="đã có trong danh sách"):
        trusted_certificate_add(pem=_pem(pki_a, "issuing"), kind="root", name="again")
    assert TrustedCertificate.objects.count() == 1


def test_something_that_is_not_a_certificate_is_refused() -> None:
    with pytest.raises(ApplicationError, match="Không đọc được chứng thư"):
        trusted_certificate_add(pem="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


# --- verification and signing follow the trust list ----------------------------------------------------


def test_a_document_from_a_ca_outside_the_trust_list_is_untrusted_until_its_root_is_added(
    pki_a: Path, pki_b: Path, signed_a: bytes
) -> None:
    trusted_certificate_add(pem=_pem(pki_b, "root"), kind="root")
    report = document_verify(content=signed_a)
    assert report["signatures"][0]["intact"]
    assert not report["signatures"][0]["trusted"]
    assert not report["all_valid"]

    trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root")
    report = document_verify(content=signed_a)
    assert report["signatures"][0]["trusted"]
    assert report["all_valid"]


def test_a_disabled_root_is_not_trusted_and_the_files_do_not_come_back(
    pki_a: Path, signed_a: bytes, settings
) -> None:
    settings.MOTCUA_PKI_DIR = str(pki_a)
    root = trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root")
    assert document_verify(content=signed_a)["all_valid"]
    trusted_certificates_enable(ids=[root.pk], enabled=False)
    assert trust_material_current().roots == []
    assert not document_verify(content=signed_a)["all_valid"]


def test_while_the_trust_list_is_empty_the_pki_directory_is_trusted(
    pki_a: Path, signed_a: bytes, settings
) -> None:
    settings.MOTCUA_PKI_DIR = str(pki_a)
    assert trust_material_current().source == "files"
    assert document_verify(content=signed_a)["all_valid"]


def test_signing_with_the_deployment_pki_follows_the_trust_list(pki_a: Path, pki_b: Path, settings) -> None:
    settings.MOTCUA_PKI_DIR = str(pki_a)
    assert PkiFiles(pki_a).uses_trust_list()
    trusted_certificate_add(pem=_pem(pki_b, "root"), kind="root")
    # We do not issue a signature our own verification would call untrusted.
    with pytest.raises(SigningError):
        SoftwareSigner(pki=PkiFiles(pki_a), name="dung").sign(
            pdf=blank_pdf(), reason="r", location="l", field_name="ChuKyLanhDao"
        )
    trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root")
    signed = SoftwareSigner(pki=PkiFiles(pki_a), name="dung").sign(
        pdf=blank_pdf(), reason="r", location="l", field_name="ChuKyLanhDao"
    )
    assert document_verify(content=signed)["all_valid"]


# --- CRL refresh -------------------------------------------------------------------------------------


def test_crl_refresh_stores_the_published_crls_and_a_signer_revoked_later_stays_valid_but_shows_revoked(
    tmp_path: Path, crl_server: tuple[Path, str], settings
) -> None:
    public, base = crl_server
    pki = _pki(tmp_path / "pki")
    signed = SoftwareSigner(pki=PkiFiles(pki), name="dung").sign(
        pdf=blank_pdf(), reason="r", location="l", field_name="ChuKyLanhDao"
    )
    _publish(pki, public)
    root = trusted_certificate_add(pem=_pem(pki, "root"), kind="root", crl_urls=[f"{base}root.crl"])
    issuing = trusted_certificate_add(
        pem=_pem(pki, "issuing"), kind="intermediate", crl_urls=[f"{base}issuing.crl"]
    )

    settings.MOTCUA_REVOCATION_FETCHING = True
    assert revocation_lists_refresh() == {"fetched": 2, "failed": 0, "skipped": 0, "errors": []}
    settings.MOTCUA_REVOCATION_FETCHING = False  # verification itself stays offline: stored CRLs only
    assert RevocationList.objects.filter(issuer=root).count() == 1
    stored = RevocationList.objects.get(issuer=issuing)
    assert stored.source_url == f"{base}issuing.crl"
    assert stored.next_update is not None
    report = document_verify(content=signed)
    assert report["all_valid"]

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), tick=False):
        serial = PkiFiles(pki).cert("dung").serial_number
        crl_write(pki, ca_name="issuing", revoked_serials=(serial,))
        _publish(pki, public)
        settings.MOTCUA_REVOCATION_FETCHING = True
        assert revocation_lists_refresh()["fetched"] == 2
        settings.MOTCUA_REVOCATION_FETCHING = False
        assert RevocationList.objects.filter(issuer=issuing).count() == 2
        report = document_verify(content=signed)
    # Revoked an hour after signing: the time-stamp proves the signature came first (ETSI past validation).
    signature = report["signatures"][0]
    assert signature["intact"]
    assert signature["revoked"]
    assert signature["trusted"]
    assert report["all_valid"]

    # Revoked (say, the key was compromised) before the signature was made: not trusted.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=False):
        crl_write(
            pki,
            ca_name="issuing",
            revoked_serials=(serial,),
            revoked_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
        )
        _publish(pki, public)
        settings.MOTCUA_REVOCATION_FETCHING = True
        assert revocation_lists_refresh()["fetched"] == 2
        settings.MOTCUA_REVOCATION_FETCHING = False
        report = document_verify(content=signed)
    signature = report["signatures"][0]
    assert signature["intact"]
    assert signature["revoked"]
    assert not signature["trusted"]
    assert report["verdict"] == "invalid"


def test_a_crl_not_signed_by_its_issuer_is_refused_and_the_others_are_still_fetched(
    pki_a: Path, pki_b: Path, crl_server: tuple[Path, str], settings, caplog
) -> None:
    public, base = crl_server
    (public / "root.crl").write_bytes((pki_a / "root.crl.der").read_bytes())
    (public / "forged.crl").write_bytes((pki_b / "issuing.crl.der").read_bytes())
    trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root", crl_urls=[f"{base}root.crl"])
    issuing = trusted_certificate_add(
        pem=_pem(pki_a, "issuing"), kind="intermediate", crl_urls=[f"{base}missing.crl", f"{base}forged.crl"]
    )
    settings.MOTCUA_REVOCATION_FETCHING = True
    with caplog.at_level(logging.WARNING, logger="motcua.signatures.revocation"):
        result = revocation_lists_refresh()
    assert (result["fetched"], result["failed"]) == (1, 1)
    assert "không do Motcua Demo Issuing CA ký" in result["errors"][0]
    assert "HTTP 404" in caplog.text
    assert not RevocationList.objects.filter(issuer=issuing).exists()


def test_an_unreachable_ca_is_logged_and_counted_not_raised(pki_a: Path, settings, caplog) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    trusted_certificate_add(
        pem=_pem(pki_a, "root"), kind="root", crl_urls=[f"http://127.0.0.1:{port}/root.crl"]
    )
    settings.MOTCUA_REVOCATION_FETCHING = True
    with caplog.at_level(logging.WARNING, logger="motcua.signatures.revocation"):
        result = revocation_lists_refresh()
    assert result["failed"] == 1
    assert "CRL refresh of Motcua Demo Root CA" in caplog.text


def test_without_fetching_the_refresh_does_not_reach_out(pki_a: Path, settings) -> None:
    settings.MOTCUA_REVOCATION_FETCHING = False
    trusted_certificate_add(pem=_pem(pki_a, "root"), kind="root", crl_urls=["http://ca.invalid/root.crl"])
    assert revocation_lists_refresh() == {"fetched": 0, "failed": 0, "skipped": 1, "errors": []}


def test_the_same_crl_again_only_updates_the_fetch_time_and_an_older_one_is_refused(tmp_path: Path) -> None:
    pki = _pki(tmp_path)
    root = trusted_certificate_add(pem=_pem(pki, "root"), kind="root")
    older = (pki / "root.crl.der").read_bytes()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2), tick=False):
        crl_write(pki, ca_name="root")
    newer = (pki / "root.crl.der").read_bytes()
    first = revocation_list_store(issuer=root, crl_data=newer)
    again = revocation_list_store(issuer=root, crl_data=newer)
    assert again.pk == first.pk
    with pytest.raises(ApplicationError, match="cũ hơn"):
        revocation_list_store(issuer=root, crl_data=older)
    assert RevocationList.objects.count() == 1


# --- motcua pki demo ---------------------------------------------------------------------------------


def test_pki_demo_registers_the_demo_cas_and_their_crls_once(tmp_path: Path, settings) -> None:
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    call_command("pki", "demo", stdout=io.StringIO())
    again = io.StringIO()
    call_command("pki", "demo", stdout=again)
    assert "0 certificate(s) added, 0 CRL(s) imported" in again.getvalue()
    assert sorted(TrustedCertificate.objects.values_list("kind", flat=True)) == ["intermediate", "root"]
    assert RevocationList.objects.count() == 2
    root = TrustedCertificate.objects.get(kind="root")
    assert root.crl_urls == ["http://127.0.0.1:8000/pki/root.crl"]

    # A new hierarchy: the old demo CAs stop being trusted.
    call_command("pki", "demo", "--force", stdout=io.StringIO())
    assert TrustedCertificate.objects.count() == 4
    assert TrustedCertificate.objects.filter(enabled=True).count() == 2


def test_pki_demo_rebuilds_an_older_demo_pki_by_itself(tmp_path: Path, settings) -> None:
    """`make run` on a machine with an earlier session's PKI: the clerks' certificates appear."""
    directory = tmp_path / "pki"
    settings.MOTCUA_PKI_DIR = str(directory)
    call_command("pki", "demo", stdout=io.StringIO())
    assert (directory / "demo-version").read_text().strip() == "2"
    (directory / "demo-version").unlink()  # as a PKI written before the version marker
    rebuilt = io.StringIO()
    call_command("pki", "demo", stdout=rebuilt)
    assert "rebuilding" in rebuilt.getvalue()
    assert (directory / "demo-version").exists()
    kept = io.StringIO()
    call_command("pki", "demo", stdout=kept)
    assert "already in" in kept.getvalue()


# --- admin -------------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_adds_a_root_by_pasting_its_pem(pki_a: Path) -> None:
    root_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    response = _client(root_user).post(
        "/admin/signatures/trustedcertificate/add/",
        {
            "pem_text": _pem(pki_a, "root"),
            "name": "",
            "kind": "root",
            "source": "Quyết định số 01/QĐ-UBND",
            "crl_urls_text": "http://ca.example.vn/root.crl\n",
            "ocsp_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    trusted = TrustedCertificate.objects.get()
    assert trusted.name == "Motcua Demo Root CA"
    assert trusted.crl_urls == ["http://ca.example.vn/root.crl"]
    page = _client(root_user).get("/admin/signatures/trustedcertificate/").content.decode()
    assert "Motcua Demo Root CA" in page
    change = _client(root_user).get(f"/admin/signatures/trustedcertificate/{trusted.pk}/change/")
    assert trusted.fingerprint_sha256 in change.content.decode()


def test_an_administrator_uploads_an_intermediate_as_a_file(pki_a: Path, admin_giang) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    der = x509.load_pem_x509_certificate(_pem(pki_a, "issuing").encode()).public_bytes(
        serialization.Encoding.DER
    )
    response = _client(admin_giang).post(
        "/admin/signatures/trustedcertificate/add/",
        {"pem_file": SimpleUploadedFile("issuing.cer", der), "name": "CA cấp dưới", "kind": "intermediate"},
    )
    assert response.status_code == 302
    assert TrustedCertificate.objects.get().name == "CA cấp dưới"


def test_the_add_form_explains_why_a_certificate_is_refused(pki_a: Path) -> None:
    root_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    response = _client(root_user).post(
        "/admin/signatures/trustedcertificate/add/",
        {"pem_text": _pem(pki_a, "dung"), "name": "", "kind": "root", "source": ""},
    )
    assert response.status_code == 200
    assert "not a CA certificate" in response.content.decode()
    assert not TrustedCertificate.objects.exists()


def test_the_trust_list_admin_is_for_administrators_only(admin_giang, clerk_binh) -> None:
    clerk_binh.is_staff = True
    clerk_binh.save(update_fields=["is_staff"])
    assert _client(clerk_binh).get("/admin/signatures/trustedcertificate/").status_code == 403
    assert _client(admin_giang).get("/admin/signatures/trustedcertificate/").status_code == 200


def test_admin_actions_disable_and_refresh(pki_a: Path, settings) -> None:
    root_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    trusted = trusted_certificate_add(
        pem=_pem(pki_a, "root"), kind="root", crl_urls=["http://ca.invalid/x.crl"]
    )
    client = _client(root_user)
    client.post(
        "/admin/signatures/trustedcertificate/", {"action": "disable", "_selected_action": [trusted.pk]}
    )
    trusted.refresh_from_db()
    assert not trusted.enabled
    settings.MOTCUA_REVOCATION_FETCHING = False
    response = client.post(
        "/admin/signatures/trustedcertificate/",
        {"action": "refresh_crls", "_selected_action": [trusted.pk]},
        follow=True,
    )
    assert "MOTCUA_REVOCATION_FETCHING" in response.content.decode()
