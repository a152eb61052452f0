"""Sign a rendered document and verify it: valid, modified, untrusted, expired certificate, not a PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.errors import ApplicationError
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.render import document_render
from motcua.signatures.signing import PkiFiles, SigningError, SoftwareSigner
from motcua.signatures.verification import pdf_verify

DATA = {
    "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "parent": "Ủy ban nhân dân tỉnh Minh Sơn",
    "agency": "Trung tâm Phục vụ hành chính công",
    "number": "01/TTPVHCC",
    "place": "Minh Sơn",
    "day": "03",
    "month": "03",
    "year": "2025",
    "code": "000.00.09.H99-250303-0001",
    "applicant": "Nguyễn Văn An",
    "address": "",
    "phone": "",
    "procedure": "Cấp giấy phép xuất bản bản tin",
    "components": ["Tờ khai"],
    "limit": "15 ngày",
    "received": "09 giờ 00 phút, ngày 03/03/2025",
    "appointment": "17 giờ 00 phút, ngày 18/03/2025",
    "return_method": "Trực tuyến",
    "receiver": "Trần Văn Bình",
    "qr": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<rect width="10" height="10"/></svg>',
}


@pytest.fixture(scope="module")
def signed(pki_dir: Path) -> bytes:
    pdf = document_render(template="receipt", data=DATA)
    return SoftwareSigner(pki=PkiFiles(pki_dir), name="dung").sign(
        pdf=pdf, reason="Phê duyệt", location="Minh Sơn", field_name="ChuKyLanhDao"
    )


def _verify(pdf: bytes, pki_dir: Path) -> dict:  # type: ignore[type-arg]
    return pdf_verify(
        pdf=pdf, trust_roots=[pki_dir / "root.crt.pem"], intermediates=[pki_dir / "issuing.crt.pem"]
    )


def test_a_signed_document_verifies_against_the_demo_root(signed: bytes, pki_dir: Path) -> None:
    report = _verify(signed, pki_dir)
    assert report["all_valid"]
    signature = report["signatures"][0]
    assert "Hoàng Văn Dũng" in signature["signer"]
    assert signature["timestamp_trusted"]
    assert not signature["modified_after_signing"]


def test_changing_one_byte_is_reported(signed: bytes, pki_dir: Path) -> None:
    tampered = bytearray(signed)
    tampered[tampered.find(b"/Title") + 2] ^= 0x01
    report = _verify(bytes(tampered), pki_dir)
    assert not report["all_valid"]
    assert not report["signatures"][0]["intact"]


def test_a_signature_from_another_root_is_untrusted(signed: bytes, tmp_path: Path) -> None:
    pki_write(pki_demo_build(people={}), tmp_path)
    report = _verify(signed, tmp_path)
    assert report["signatures"][0]["intact"]
    assert not report["signatures"][0]["trusted"]
    assert not report["all_valid"]


def test_an_expired_certificate_cannot_sign(pki_dir: Path, tmp_path: Path) -> None:
    import time_machine

    with (
        time_machine.travel(dt.datetime(2035, 1, 1, tzinfo=dt.UTC)),
        pytest.raises(SigningError, match="hết hạn"),
    ):
        SoftwareSigner(pki=PkiFiles(pki_dir), name="dung")


def test_not_a_pdf_is_a_clear_error(pki_dir: Path) -> None:
    with pytest.raises(ApplicationError, match="không phải PDF"):
        _verify(b"MZ\x90\x00", pki_dir)


def test_an_unsigned_pdf_says_so(pki_dir: Path) -> None:
    report = _verify(document_render(template="receipt", data=DATA), pki_dir)
    assert (report["signatures"], report["signed"], report["all_valid"]) == ([], False, False)
    assert report["verdict"] == "unsigned"


@pytest.mark.django_db
def test_the_verification_api_answers_with_the_report(signed: bytes, pki_dir: Path, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MOTCUA_PKI_DIR = str(pki_dir)
    response = Client().post(
        "/api/v1/verifications",
        {"file": SimpleUploadedFile("kq.pdf", signed, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert response.json()["all_valid"] is True
    bad = Client().post("/api/v1/verifications", {"file": SimpleUploadedFile("x.pdf", b"hello")})
    assert bad.status_code == 400
    assert "PDF" in bad.json()["message"]


def test_pdfsig_from_poppler_reads_the_signature_as_valid(signed: bytes, tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in out
    assert "Hoàng Văn Dũng" in out
    tampered = bytearray(signed)
    tampered[tampered.find(b"/Title") + 2] ^= 0x01
    path.write_bytes(bytes(tampered))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." not in out


def test_a_revoked_certificate_cannot_sign_and_is_reported(tmp_path: Path) -> None:
    from motcua.signatures.pki import crl_write
    from motcua.signatures.signing import PkiFiles as Files

    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa")}), tmp_path)
    pdf = document_render(template="receipt", data=DATA)
    signed = SoftwareSigner(pki=Files(tmp_path), name="dung").sign(
        pdf=pdf, reason="r", location="l", field_name="ChuKyLanhDao"
    )
    crl_write(tmp_path, ca_name="issuing", revoked_serials=(Files(tmp_path).cert("dung").serial_number,))
    with pytest.raises(SigningError):
        SoftwareSigner(pki=Files(tmp_path), name="dung").sign(
            pdf=pdf, reason="r", location="l", field_name="X"
        )
    report = pdf_verify(
        pdf=signed,
        trust_roots=[tmp_path / "root.crt.pem"],
        intermediates=[tmp_path / "issuing.crt.pem"],
        crls=sorted(tmp_path.glob("*.crl.der")),
    )
    assert not report["all_valid"]
    assert not report["signatures"][0]["trusted"]


def test_after_the_signer_certificate_expires_the_report_says_so(signed: bytes, pki_dir: Path) -> None:
    import time_machine

    assert _verify(signed, pki_dir)["signatures"][0]["certificate_expired"] is False
    # The demo signer certificates last 730 days; the root and the issuing CA outlive them.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=800)):
        report = _verify(signed, pki_dir)
    signature = report["signatures"][0]
    assert signature["certificate_expired"] is True
    assert signature["intact"]  # the document did not change …
    assert not signature["trusted"]  # … but today the chain no longer validates
    assert not report["all_valid"]


def test_an_encrypted_pdf_is_a_clear_error(signed: bytes, pki_dir: Path) -> None:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(document_render(template="receipt", data=DATA))))
    writer.encrypt("chu-so-huu", "nguoi-doc")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ApplicationError, match="mã hóa"):
        _verify(out.getvalue(), pki_dir)


def test_an_oversized_file_is_refused_before_parsing(pki_dir: Path) -> None:
    from motcua.signatures.verification import MAX_BYTES

    with pytest.raises(ApplicationError, match="20 MB"):
        _verify(b"%PDF-1.7\n" + b"0" * MAX_BYTES, pki_dir)
    response = Client().post(
        "/api/v1/verifications",
        {"file": SimpleUploadedFile("lon.pdf", b"%PDF-1.7\n" + b"0" * MAX_BYTES, "application/pdf")},
    )
    assert response.status_code == 400
    assert "20 MB" in response.json()["message"]


def test_signing_leaves_cryptographys_key_loader_alone(signed: bytes, pki_dir: Path) -> None:
    """The demo provider parses its keys once, but only inside its own calls: no module patches another
    library for the whole process."""
    from cryptography.hazmat.bindings._rust import openssl
    from cryptography.hazmat.primitives import serialization

    assert serialization.load_der_private_key is openssl.keys.load_der_private_key
    SoftwareSigner(pki=PkiFiles(pki_dir), name="dung").sign(
        pdf=document_render(template="receipt", data=DATA),
        reason="r",
        location="l",
        field_name="ChuKyLanhDao",
    )
    assert serialization.load_der_private_key is openssl.keys.load_der_private_key
