"""The personal data store and once-only reuse: documents from the store replace uploads only while their
signatures validate; the dossier keeps the provenance staff see; "who used my data" lists staff reads,
exports them, and consent is granted and withdrawn per purpose."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.tests.conftest import pdf
from motcua.identity.models import Consent, DocumentSource, StoredDocument, VneidLink
from motcua.identity.services import record_personal_data_access
from motcua.identity.store import store_document_add
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.signing import PkiFiles, SoftwareSigner
from motcua.testing.factories import ComponentFactory

pytestmark = pytest.mark.django_db

MARITAL = "Giấy xác nhận tình trạng hôn nhân"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    pki_write(pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "UBND phường Minh Khai")}), directory)
    return directory


@pytest.fixture(scope="module")
def signed_pdf(pki_dir: Path) -> bytes:
    import io

    import pikepdf

    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    document.save(out)
    return SoftwareSigner(pki=PkiFiles(pki_dir), name="dung").sign(
        pdf=out.getvalue(), reason="Xác nhận", location="Minh Khai", field_name="ChuKy"
    )


@pytest.fixture
def pki(pki_dir: Path, settings: Any, tmp_path: Path) -> Path:
    settings.MOTCUA_PKI_DIR = str(pki_dir)
    settings.MEDIA_ROOT = tmp_path / "media"
    return pki_dir


@pytest.fixture
def version(bulletin_version: ProcedureVersion) -> ProcedureVersion:
    ComponentFactory(version=bulletin_version, order=5, name=MARITAL, required=True)
    return bulletin_version


@pytest.fixture
def certificate(citizen_an, pki, signed_pdf) -> StoredDocument:  # type: ignore[no-untyped-def]
    """A marital-status certificate issued electronically elsewhere and put in An's store (digitised)."""
    return store_document_add(
        owner_id_number=citizen_an.national_id,
        title=MARITAL,
        source=DocumentSource.DIGITISED,
        source_ref="ubnd-minh-khai:XN-15/2026",
        kind_code="tinh_trang_hon_nhan",
        issuer="UBND phường Minh Khai",
        issue_date=dt.date(2026, 11, 2),
        valid_until=dt.date(2027, 5, 2),
        content=signed_pdf,
        file_name="xac-nhan-hon-nhan.pdf",
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _component(version: ProcedureVersion, name: str) -> Any:
    return version.components.get(name=name)


def _post_form(client: Client, version: ProcedureVersion, **extra: Any) -> Any:
    form: dict[str, Any] = {
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001090012345",
        "applicant_kind": "citizen",
        "applicant_phone": "0912345678",
        "return_method": "online",
        "idempotency_key": "k-1",
        "submit": "1",
    }
    for component in version.components.filter(required=True).exclude(name=MARITAL):
        form[f"component_{component.pk}"] = pdf(f"tp{component.pk}.pdf")
    form.update(extra)
    return client.post(f"/ho-so/nop/{version.procedure.local_code}/", form)


def test_the_store_lists_each_document_with_source_issuer_validity_and_signature_report(
    citizen_an, certificate
) -> None:  # type: ignore[no-untyped-def]
    store_document_add(
        owner_id_number=citizen_an.national_id,
        title="Thông tin công dân",
        source=DocumentSource.NATIONAL_DB,
        source_ref="csdldc:msg-1",
        kind_code="thong_tin_cong_dan",
        issuer="Cơ sở dữ liệu quốc gia về dân cư",
        data={"SoDinhDanh": citizen_an.national_id},
    )
    assert certificate.signature_verdict == "valid"
    page = _client(citizen_an).get("/kho-du-lieu/").content.decode()
    assert MARITAL in page
    assert "UBND phường Minh Khai" in page
    assert "02/05/2027" in page
    assert "Số hóa" in page
    assert "Cơ sở dữ liệu quốc gia" in page
    assert "Hợp lệ" in page
    assert "Bản ghi dữ liệu" in page


def test_another_citizen_never_sees_or_opens_the_document(citizen_other, certificate) -> None:  # type: ignore[no-untyped-def]
    client = _client(citizen_other)
    assert MARITAL not in client.get("/kho-du-lieu/").content.decode()
    assert client.get(f"/kho-du-lieu/{certificate.pk}/tep/").status_code == 404


def test_a_required_component_offers_the_store_document_and_reuse_keeps_its_provenance(
    citizen_an, clerk_binh, version, certificate, signed_pdf
) -> None:  # type: ignore[no-untyped-def]
    client = _client(citizen_an)
    marital = _component(version, MARITAL)
    form_page = client.get(f"/ho-so/nop/{version.procedure.local_code}/").content.decode()
    assert f'name="reuse_{marital.pk}"' in form_page
    assert f'value="store:{certificate.pk}"' in form_page
    response = _post_form(client, version, **{f"reuse_{marital.pk}": f"store:{certificate.pk}"})
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    reused = DossierComponent.objects.get(dossier=dossier, catalogue_component=marital)
    assert reused.reused_from_store
    assert reused.reuse_provenance["signature_verdict"] == "valid"
    assert reused.reuse_provenance["issuer"] == "UBND phường Minh Khai"
    assert reused.reuse_provenance["source"] == DocumentSource.DIGITISED
    assert reused.files.get().sha256 == certificate.sha256
    others = DossierComponent.objects.filter(dossier=dossier).exclude(pk=reused.pk)
    assert not any(c.reused_from_store for c in others)
    assert not dossier.vneid_verified
    # Staff see where the component came from and its signature report.
    desk = _client(clerk_binh).get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert "Lấy từ kho dữ liệu" in desk
    assert "chữ ký số hợp lệ khi nộp" in desk


def test_a_document_whose_signature_no_longer_validates_cannot_be_reused(
    citizen_an, version, certificate
) -> None:  # type: ignore[no-untyped-def]
    # The stored file is altered after it was added (bit rot, tampering): its signature no longer holds.
    content = bytearray(Path(certificate.file.path).read_bytes())
    content[content.index(b"/MediaBox")] ^= 0x01
    Path(certificate.file.path).write_bytes(bytes(content))
    StoredDocument.objects.filter(pk=certificate.pk).update(verified_at=None)
    client = _client(citizen_an)
    marital = _component(version, MARITAL)
    assert (
        f'value="store:{certificate.pk}"'
        not in client.get(f"/ho-so/nop/{version.procedure.local_code}/").content.decode()
    )
    response = _post_form(client, version, **{f"reuse_{marital.pk}": f"store:{certificate.pk}"})
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    certificate.refresh_from_db()
    assert certificate.signature_verdict != "valid"


def test_an_expired_document_is_not_offered(citizen_an, version, certificate) -> None:  # type: ignore[no-untyped-def]
    StoredDocument.objects.filter(pk=certificate.pk).update(valid_until=dt.date(2020, 1, 1))
    page = _client(citizen_an).get(f"/ho-so/nop/{version.procedure.local_code}/").content.decode()
    assert f'value="store:{certificate.pk}"' not in page


def test_a_dossier_from_a_vneid_account_is_flagged(citizen_an, version) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    VneidLink.objects.create(
        user=citizen_an,
        subject="s-1",
        id_number="001090012345",
        assurance_level="2",
        linked_at=now,
        last_login_at=now,
    )
    marital = _component(version, MARITAL)
    response = _post_form(_client(citizen_an), version, **{f"component_{marital.pk}": pdf("hn.pdf")})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.vneid_verified
    assert not dossier.components.filter(reused_from_store=True).exists()


def test_results_issued_and_files_submitted_come_into_the_store(citizen_an, version, pki, signed_pdf) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from motcua.signatures.models import IssuedDocument

    payload = {
        "procedure": version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    files = {f"component_{c.pk}": pdf(f"tp{c.pk}.pdf") for c in version.components.filter(required=True)}
    response = _client(citizen_an).post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201
    dossier = Dossier.objects.get()
    issued = IssuedDocument(
        dossier=dossier, kind="result", number="15/GP", sha256="", issued_at=dossier.submitted_at
    )
    issued.file.save("ket-qua.pdf", ContentFile(signed_pdf), save=False)
    issued.save()
    page = _client(citizen_an).get("/kho-du-lieu/").content.decode()
    assert "15/GP" in page
    sources = set(StoredDocument.objects.values_list("source", flat=True))
    assert sources == {DocumentSource.ISSUED, DocumentSource.SUBMITTED}
    # Idempotent: a second visit adds nothing.
    count = StoredDocument.objects.count()
    _client(citizen_an).get("/kho-du-lieu/")
    assert StoredDocument.objects.count() == count


def test_who_used_my_data_lists_the_reads_of_my_data_only_and_exports_them(citizen_an, citizen_other) -> None:  # type: ignore[no-untyped-def]
    record_personal_data_access(
        subject_id_number="001090012345",
        accessor_kind="national_db",
        accessor="CSDLQG về dân cư",
        data="Họ tên, ngày sinh",
        purpose="HS:X-1",
    )
    record_personal_data_access(
        subject_id_number=citizen_other.national_id,
        accessor_kind="staff",
        accessor="someone",
        data="secret-of-other",
        purpose="HS:X-2",
    )
    client = _client(citizen_an)
    page = client.get("/du-lieu-cua-toi/").content.decode()
    assert "CSDLQG về dân cư" in page
    assert "secret-of-other" not in page
    export = client.get("/du-lieu-cua-toi/?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    text = export.content.decode("utf-8-sig")
    assert "Hồ sơ X-1" in text
    assert "HS:X-1" not in text
    assert "secret-of-other" not in text


def test_consent_is_granted_and_withdrawn_per_purpose_that_needs_it(citizen_an) -> None:  # type: ignore[no-untyped-def]
    client = _client(citizen_an)
    client.post("/du-lieu-cua-toi/dong-y/", {"purpose": "khao_sat", "action": "grant"})
    consent = Consent.objects.get(user=citizen_an)
    assert consent.withdrawn_at is None
    assert "Rút lại" in client.get("/du-lieu-cua-toi/").content.decode()
    client.post("/du-lieu-cua-toi/dong-y/", {"purpose": "khao_sat", "action": "withdraw"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    # A purpose resting on the law takes no consent.
    client.post("/du-lieu-cua-toi/dong-y/", {"purpose": "thu_tuc_hanh_chinh", "action": "grant"})
    assert Consent.objects.count() == 1


def test_a_file_that_cannot_be_read_is_told_in_words_not_with_the_internal_verdict(
    citizen_an, certificate
) -> None:  # type: ignore[no-untyped-def]
    # Walk, session 6: the store showed "Không hợp lệ (unreadable)" — an English code in the Vietnamese page.
    type(certificate).objects.filter(pk=certificate.pk).update(signature_verdict="unreadable")
    page = _client(citizen_an).get("/kho-du-lieu/").content.decode()
    assert "Không đọc được tệp để kiểm tra chữ ký" in page
    assert "(unreadable)" not in page
