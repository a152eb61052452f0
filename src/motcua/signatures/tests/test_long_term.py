"""Long-term validity: an issued result carries what AdES long-term validation needs (revocation data issued
after each signature for every CA certificate of both signers' and the TSA's chains, document time-stamps),
so it still verifies long after the signers' certificates expire; and the CRL distribution points that the
certificates name answer."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from asn1crypto import crl as asn1_crl
from cryptography import x509
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core import clock
from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.signatures.models import IssuedDocument
from motcua.signatures.pki import demo_crls_issue
from motcua.signatures.services import document_verify
from motcua.signatures.signing import PkiFiles
from motcua.signatures.tests.test_results import _approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version):  # type: ignore[no-untyped-def]
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    return IssuedDocument.objects.get(dossier=dossier, kind="result")


def _content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_issued_file_holds_fresh_revocation_data_for_every_ca_and_document_time_stamps(
    issued: IssuedDocument, signing: Path
) -> None:
    reader = PdfFileReader(io.BytesIO(_content(issued)))
    dss = reader.root["/DSS"]
    crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss["/CRLs"]]
    pki = PkiFiles(signing)
    issuers = {crl["tbs_cert_list"]["issuer"].human_friendly for crl in crls}
    assert "Motcua Demo Root CA" in str(issuers)
    assert "Motcua Demo Issuing CA" in str(issuers)
    signing_times = [s.self_reported_timestamp or clock.now() for s in reader.embedded_regular_signatures]
    # Not taken before the signatures: they prove the certificates were unrevoked when signed.
    newest = max(crl["tbs_cert_list"]["this_update"].native for crl in crls)
    assert newest >= max(signing_times)
    certs = {x509.load_der_x509_certificate(ref.get_object().data).subject for ref in dss["/Certs"]}
    for name in ("root", "issuing", "tsa", "dung", "em"):
        assert pki.cert(name).subject in certs
    assert len(reader.embedded_timestamp_signatures) == 2  # one document time-stamp after each signature


def test_a_result_still_verifies_two_years_after_the_signers_certificate_expired(
    issued: IssuedDocument, signing: Path
) -> None:
    content = _content(issued)
    expiry = PkiFiles(signing).cert("dung").not_valid_after_utc
    later = expiry + dt.timedelta(days=730)
    with time_machine.travel(later, tick=False):
        demo_crls_issue(signing)  # the CAs keep publishing CRLs meanwhile
        report = document_verify(content=content)
    signatures = [s for s in report["signatures"] if s["kind"] == "signature"]
    assert [s["certificate_expired"] for s in signatures] == [True, True]
    assert [s["validated_by"] for s in signatures] == ["long_term", "long_term"]
    assert [s["trusted"] for s in signatures] == [True, True]
    assert report["verdict"] == "valid"
    assert report["all_valid"] is True


def test_without_long_term_data_the_same_check_fails(issued: IssuedDocument, signing: Path) -> None:
    content = _content(issued)
    first = PdfFileReader(io.BytesIO(content)).embedded_regular_signatures[0]
    byte_range = first.sig_object["/ByteRange"]
    stripped = content[: byte_range[2] + byte_range[3]]  # the leader's signature alone, B-T
    later = PkiFiles(signing).cert("dung").not_valid_after_utc + dt.timedelta(days=730)
    with time_machine.travel(later, tick=False):
        demo_crls_issue(signing)
        report = document_verify(content=stripped)
    (leader,) = report["signatures"]
    assert leader["pades_level"] == "B-T"
    assert not leader["trusted"]
    assert report["verdict"] == "invalid"


def test_the_crl_distribution_points_of_the_certificates_answer_with_current_crls(
    signing: Path, settings
) -> None:
    settings.MOTCUA_PKI_DIR = str(signing)
    pki = PkiFiles(signing)
    urls = {
        point.full_name[0].value
        for name in ("issuing", "dung", "tsa")
        for point in pki.cert(name).extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    }
    assert urls == {"http://127.0.0.1:8000/pki/root.crl", "http://127.0.0.1:8000/pki/issuing.crl"}
    for url in sorted(urls):
        response = Client().get(url.removeprefix("http://127.0.0.1:8000"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pkix-crl"
        assert "max-age=" in response["Cache-Control"]
        assert response["Expires"]
        crl = x509.load_der_x509_crl(response.content)
        issuer = "root" if url.endswith("root.crl") else "issuing"
        assert crl.is_signature_valid(pki.cert(issuer).public_key())  # type: ignore[arg-type]
        assert crl.next_update_utc is not None
        assert crl.next_update_utc > clock.now()
    # Weeks later, with no one having re-issued it, the CRL served is still current.
    with time_machine.travel(clock.now() + dt.timedelta(days=45), tick=False):
        crl = x509.load_der_x509_crl(Client().get("/pki/issuing.crl").content)
        assert crl.next_update_utc is not None
        assert crl.next_update_utc > clock.now()
    assert Client().get("/pki/tsa.crl").status_code == 404
    assert Client().get("/pki/nothing.crl").status_code == 404
