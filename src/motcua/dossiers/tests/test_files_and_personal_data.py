"""Uploaded files for those who judge them (issue 9.3) and personal data under Law 91/2025/QH15 and
Decree 356/2025 (issue 12.10): every read logged, the log kept apart, ID card images encrypted and shown
to fewer staff, optional uses only with consent. Everything through HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from motcua.accounts.models import Role
from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import AccessKind, Dossier, DossierAccessLog, DossierFile
from motcua.dossiers.tests.conftest import MONDAY_MORNING, PDF_BYTES, pdf
from motcua.notifications.models import Notification
from motcua.testing.factories import ComponentFactory, StaffFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def id_component(bulletin_version: ProcedureVersion) -> Any:
    """The bulletin procedure asks for a copy of the applicant's ID card (flagged in the catalogue)."""
    return ComponentFactory(
        version=bulletin_version,
        order=9,
        name="Bản sao thẻ căn cước",
        required=False,
        is_identity_document=True,
    )


@pytest.fixture
def received(citizen_an, clerk_binh, bulletin_version, id_component, frozen) -> Dossier:  # type: ignore[no-untyped-def]
    """A dossier submitted online by An (a PDF form, a PNG layout, a PNG of the ID card), received by Bình."""
    first, second = list(bulletin_version.components.exclude(pk=id_component.pk).order_by("order"))[:2]
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    files = {
        f"component_{first.pk}": pdf("don-de-nghi.pdf"),
        f"component_{second.pk}": SimpleUploadedFile("mau.png", _png(), content_type="image/png"),
        f"component_{id_component.pk}": SimpleUploadedFile("cccd.png", _png(), content_type="image/png"),
    }
    response = _client(citizen_an).post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert _client(clerk_binh).post(f"/api/v1/dossiers/{code}/receive").status_code == 200
    return Dossier.objects.get(code=code)


def _file(dossier: Dossier, name: str) -> DossierFile:
    return DossierFile.objects.get(component__dossier=dossier, original_name=name)


def _desk_url(dossier: Dossier, stored: DossierFile) -> str:
    return f"/mot-cua/ho-so/{dossier.code}/tep/{stored.pk}/"


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def ioc_viewer(province: Agency):  # type: ignore[no-untyped-def]
    user = StaffFactory(username="ioc", full_name="Theo Dõi IOC")
    StaffRoleFactory(user=user, agency=province, role=Role.IOC_VIEWER)
    return user


# --- Issue 9.3: staff open the files they judge --------------------------------------------------


def test_every_staff_member_who_sees_the_dossier_downloads_its_files_and_others_get_404(
    received,
    clerk_binh,
    specialist_chi,
    leader_dung,
    clerical_em,
    clerk_other_agency,
    citizen_other,
    ioc_viewer,
) -> None:
    stored = _file(received, "don-de-nghi.pdf")
    for user in (clerk_binh, specialist_chi, leader_dung, clerical_em):
        response = _client(user).get(_desk_url(received, stored))
        assert response.status_code == 200, user.username
        assert _body(response) == PDF_BYTES
    # The monitoring role reads statistics, not dossiers (security review F6).
    for user in (clerk_other_agency, citizen_other, ioc_viewer):
        assert _client(user).get(_desk_url(received, stored)).status_code == 404, user.username
    # A file id of another dossier under this dossier's code is not found either.
    assert _client(clerk_binh).get(f"/mot-cua/ho-so/{received.code}/tep/999999/").status_code == 404


def test_the_applicant_downloads_their_own_files_and_nobody_else_does(
    received, citizen_an, citizen_other
) -> None:
    stored = _file(received, "mau.png")
    url = f"/ho-so/{received.code}/tep/{stored.pk}/"
    assert _body(_client(citizen_an).get(url)) == _png()
    assert _client(citizen_other).get(url).status_code == 404
    # The staff route is not the applicant's: a citizen who is not staff gets nothing there.
    assert _client(citizen_an).get(_desk_url(received, stored)).status_code == 404


def test_a_download_is_an_attachment_with_nosniff_a_sandbox_csp_and_no_store(received, clerk_binh) -> None:
    response = _client(clerk_binh).get(_desk_url(received, _file(received, "don-de-nghi.pdf")))
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="don-de-nghi.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_pdfs_and_images_are_inline_only_when_asked(received, clerk_binh) -> None:
    client = _client(clerk_binh)
    pdf_response = client.get(_desk_url(received, _file(received, "don-de-nghi.pdf")) + "?inline=1")
    assert pdf_response["Content-Disposition"].startswith("inline;")
    assert "default-src 'none'" in pdf_response["Content-Security-Policy"]
    png_response = client.get(_desk_url(received, _file(received, "mau.png")) + "?inline=1")
    assert png_response["Content-Disposition"].startswith("inline;")
    assert png_response["Content-Type"] == "image/png"
    assert "sandbox" in png_response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("content", "declared"),
    [
        (b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", "application/pdf"),
        (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "text/html"),
        (b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>", "image/png"),
    ],
)
def test_an_html_looking_file_is_never_inline(received, clerk_binh, content: bytes, declared: str) -> None:
    component = received.components.first()
    assert component is not None
    stored = DossierFile(
        component=component, original_name="trang.html", content_type=declared, size=len(content), sha256="0"
    )
    stored.file.save("trang.html", ContentFile(content), save=True)
    response = _client(clerk_binh).get(_desk_url(received, stored) + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_every_file_read_is_logged_with_what_was_read(received, specialist_chi) -> None:
    DossierAccessLog.objects.all().delete()
    _client(specialist_chi).get(_desk_url(received, _file(received, "don-de-nghi.pdf")))
    row = DossierAccessLog.objects.get()
    assert (row.kind, row.dossier_code, row.user) == (AccessKind.FILE, received.code, specialist_chi)
    assert "don-de-nghi.pdf" in row.target
    assert row.reader.startswith("chi")


def test_the_staff_page_links_each_file_and_the_signed_result_and_the_citizen_page_lists_the_files(
    received, clerk_binh, clerical_em, citizen_an
) -> None:
    from motcua.signatures.models import IssuedDocument

    stored = _file(received, "don-de-nghi.pdf")
    page = _client(clerk_binh).get(f"/mot-cua/ho-so/{received.code}/").content.decode()
    assert _desk_url(received, stored) in page
    assert f"/van-ban/ket-qua/{received.code}.pdf" not in page
    document = IssuedDocument(
        dossier=received,
        kind="result",
        number="01/GP",
        # The download checks the stored bytes against this digest (signatures.services).
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
        issued_at=MONDAY_MORNING,
    )
    document.file.save("ket-qua.pdf", ContentFile(PDF_BYTES), save=True)
    page = _client(clerical_em).get(f"/mot-cua/ho-so/{received.code}/").content.decode()
    assert f"/van-ban/ket-qua/{received.code}.pdf" in page
    # The route the citizen's page uses serves staff too, and the download is logged as a PDF read.
    result = _client(clerical_em).get(f"/van-ban/ket-qua/{received.code}.pdf")
    assert result.status_code == 200
    assert DossierAccessLog.objects.filter(user=clerical_em, kind=AccessKind.PDF, target="result").exists()
    citizen_page = _client(citizen_an).get(f"/ho-so/{received.code}/").content.decode()
    assert f"/ho-so/{received.code}/tep/{stored.pk}/" in citizen_page
    assert "don-de-nghi.pdf" in citizen_page


# --- Issue 12.10: identity documents -------------------------------------------------------------


def test_an_id_card_image_is_encrypted_at_rest_and_served_decrypted(received, clerk_binh) -> None:
    stored = _file(received, "cccd.png")
    assert stored.encrypted
    with stored.file.open("rb") as handle:
        at_rest = handle.read()
    assert _png() not in at_rest
    assert not at_rest.startswith(b"\x89PNG")
    assert _body(_client(clerk_binh).get(_desk_url(received, stored))) == _png()
    # Ordinary components stay as they were uploaded.
    assert not _file(received, "mau.png").encrypted


def test_an_id_card_image_opens_only_for_the_clerk_and_the_specialist_handling_the_step(
    received, clerk_binh, specialist_chi, leader_dung, clerical_em, ioc_viewer, culture_department
) -> None:
    url = _desk_url(received, _file(received, "cccd.png"))
    assert _client(clerk_binh).get(url).status_code == 200
    assert _client(specialist_chi).get(url).status_code == 200  # the appraisal step is free to take
    for user in (leader_dung, clerical_em, ioc_viewer):
        assert _client(user).get(url).status_code == 404, user.username
    # Once Chi has taken the step, another specialist of the department no longer opens it.
    task = received.tasks.get(role="specialist")
    assert (
        _client(specialist_chi).post(f"/api/v1/dossiers/{received.code}/tasks/{task.pk}/claim").status_code
        == 200
    )
    other = StaffFactory(username="specialist2")
    StaffRoleFactory(user=other, agency=culture_department, role=Role.SPECIALIST)
    assert _client(other).get(url).status_code == 404
    assert _client(specialist_chi).get(url).status_code == 200
    # The leader's page names the file without a link.
    page = _client(leader_dung).get(f"/mot-cua/ho-so/{received.code}/").content.decode()
    assert "cccd.png" in page
    assert url not in page


def test_a_component_named_as_an_id_document_counts_without_the_catalogue_flag(bulletin_version) -> None:
    from motcua.dossiers.sensitive import identity_document_reason

    assert identity_document_reason(catalogue_component=None, name="Bản sao Căn cước công dân") == "name"
    assert identity_document_reason(catalogue_component=None, name="Hộ chiếu của người nước ngoài") == "name"
    assert identity_document_reason(catalogue_component=None, name="Tờ khai căn cước") == ""
    assert identity_document_reason(catalogue_component=None, name="Giấy chứng sinh") == ""


def test_the_demo_catalogue_flags_its_identity_documents(agencies_for_demo: None) -> None:
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.catalog.models import Component

    load_demo_catalogue()
    flagged = set(Component.objects.filter(is_identity_document=True).values_list("name", flat=True))
    assert flagged == {
        "Hộ chiếu của người nước ngoài",
        "Giấy tờ tùy thân của người yêu cầu chứng thực",
        "Hộ chiếu",
    }


@pytest.fixture
def agencies_for_demo(db: None) -> None:
    from motcua.agencies.demo import load_demo_agencies

    load_demo_agencies()


def test_production_refuses_the_demo_sensitive_files_key() -> None:
    env = {
        **os.environ,
        "MOTCUA_PRODUCTION": "1",
        "MOTCUA_SECRET_KEY": "a-real-secret-key-for-this-test-0123456789-abcdefghij",
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
    }
    env.pop("MOTCUA_SENSITIVE_FILES_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import motcua.config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "MOTCUA_SENSITIVE_FILES_KEY" in result.stderr


# --- Issue 12.10: every read and export logged; the log kept apart -------------------------------


def test_api_reads_desk_actions_and_pdf_downloads_are_logged(received, specialist_chi, clerk_binh) -> None:
    DossierAccessLog.objects.all().delete()
    assert _client(specialist_chi).get(f"/api/v1/dossiers/{received.code}").status_code == 200
    task = received.tasks.get(role="specialist")
    _client(specialist_chi).post(f"/mot-cua/ho-so/{received.code}/claim/", {"task": task.pk})
    assert _client(clerk_binh).get(f"/van-ban/giay-hen/{received.code}.pdf").status_code == 200
    rows = {(r.user_id, r.kind, r.target.split(" ")[0]) for r in DossierAccessLog.objects.all()}
    assert (specialist_chi.pk, AccessKind.API, "GET") in rows
    assert (specialist_chi.pk, AccessKind.ACTION, "claim") in rows
    assert (clerk_binh.pk, AccessKind.PDF, "receipt") in rows
    assert all(r.dossier_code == received.code for r in DossierAccessLog.objects.all())


def test_an_admin_search_by_id_number_is_logged_with_the_number_masked(received, admin_giang) -> None:
    admin_giang.is_superuser = True
    admin_giang.save(update_fields=["is_superuser"])
    DossierAccessLog.objects.all().delete()
    response = _client(admin_giang).get("/admin/dossiers/dossier/", {"q": "001090012345"})
    assert response.status_code == 200
    assert received.code in response.content.decode()
    row = DossierAccessLog.objects.get(kind=AccessKind.ADMIN_SEARCH)
    assert row.target == "*********345"
    assert row.user == admin_giang


def test_the_access_log_outlives_the_dossier(received, specialist_chi) -> None:
    _client(specialist_chi).get(f"/mot-cua/ho-so/{received.code}/")
    code = received.code
    received.delete()
    rows = DossierAccessLog.objects.filter(dossier_code=code)
    assert rows.exists()
    assert all(r.dossier_id is None for r in rows)
    assert rows.filter(reader__startswith="chi").exists()


def test_the_access_log_is_purged_after_its_own_retention(received, specialist_chi, settings) -> None:
    settings.MOTCUA_ACCESS_LOG_RETENTION_DAYS = 30
    DossierAccessLog.objects.all().delete()
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        _client(specialist_chi).get(f"/mot-cua/ho-so/{received.code}/")
        traveller.shift(dt.timedelta(days=31))
        _client(specialist_chi).get(f"/api/v1/dossiers/{received.code}")
        call_command("access_log_purge", stdout=io.StringIO())
    assert list(DossierAccessLog.objects.values_list("kind", flat=True)) == [AccessKind.API]


# --- Issue 12.10: optional uses only with consent ------------------------------------------------


def _web_submit(client: Client, version: ProcedureVersion, **extra: str) -> Any:
    first, second = list(version.components.order_by("order"))[:2]
    data = {
        "applicant_kind": "citizen",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001090012345",
        "applicant_phone": "0912345678",
        "applicant_email": "an@example.org",
        "return_method": "online",
        f"component_{first.pk}": pdf(),
        f"component_{second.pk}": pdf("mau.pdf"),
        **extra,
    }
    return client.post(f"/ho-so/nop/{version.procedure.local_code}/", data)


def test_the_submission_form_asks_consent_with_unticked_boxes_and_links_the_privacy_notice(
    citizen_an, bulletin_version, frozen
) -> None:
    page = _client(citizen_an).get(f"/ho-so/nop/{bulletin_version.procedure.local_code}/").content.decode()
    for name in ("sms_consent", "survey_consent"):
        tag = page[page.index(f'name="{name}"') - 80 : page.index(f'name="{name}"') + 80]
        assert 'type="checkbox"' in tag
        assert "checked" not in tag
    assert 'href="/chinh-sach-bao-ve-du-lieu-ca-nhan/"' in page


def test_no_sms_without_consent_but_the_email_is_still_sent(citizen_an, bulletin_version, frozen) -> None:
    response = _web_submit(_client(citizen_an), bulletin_version)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.sms_consent_at is None
    assert dossier.survey_consent_at is None
    channels = set(Notification.objects.filter(dossier_code=dossier.code).values_list("channel", flat=True))
    assert channels == {"email"}


def test_consent_is_stored_with_its_time_and_sms_then_goes_out(citizen_an, bulletin_version, frozen) -> None:
    _web_submit(_client(citizen_an), bulletin_version, sms_consent="on", survey_consent="on")
    dossier = Dossier.objects.get()
    assert dossier.sms_consent_at == MONDAY_MORNING
    assert dossier.survey_consent_at == MONDAY_MORNING
    channels = set(Notification.objects.filter(dossier_code=dossier.code).values_list("channel", flat=True))
    assert channels == {"email", "sms"}


# --- Issue 11.6: the monitoring role sees statistics, not dossiers --------------------------------


def test_the_ioc_viewer_reads_statistics_but_no_dossier(received, ioc_viewer, citizen_an) -> None:
    ioc = _client(ioc_viewer)
    assert ioc.get(f"/api/v1/dossiers/{received.code}").status_code == 404
    assert ioc.get(f"/mot-cua/ho-so/{received.code}/").status_code in (403, 404)
    assert ioc.get(_desk_url(received, _file(received, "don-de-nghi.pdf"))).status_code == 404
    figures = ioc.get("/api/v1/statistics")
    assert figures.status_code == 200
    body = figures.json()
    assert body["total"] == 1
    assert body["by_status"] == {received.status: 1}
    assert received.applicant_name not in figures.content.decode()
    assert _client(citizen_an).get("/api/v1/statistics").status_code == 403


def test_statistics_count_the_on_time_rate_per_agency(received, ioc_viewer, culture_department) -> None:
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=received.pk).update(processing_finished_at=received.appointment_at)
    rows = _client(ioc_viewer).get("/api/v1/statistics").json()["agencies"]
    assert rows == [
        {
            "agency": culture_department.code,
            "name": culture_department.name,
            "finished": 1,
            "on_time": 1,
            "on_time_rate": 1.0,
        }
    ]
