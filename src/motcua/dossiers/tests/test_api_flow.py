"""The dossier life-cycle through the HTTP API, as integrators and the browser use it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.tests.conftest import PNG_BYTES, pdf
from motcua.testing.factories import StaffFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submit(
    client: Client,
    version: ProcedureVersion,
    *,
    key: str = "",
    files: dict[str, Any] | None = None,
    phone: str = "0912345678",
) -> Any:
    components = list(version.components.order_by("order"))
    payload = {
        "procedure": version.procedure.local_code,
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "001090012345",
            "phone": phone,
            "email": "an@example.org",
        },
        "summary": "Xin cấp phép bản tin nội bộ",
    }
    if files is None:
        files = {f"component_{components[0].pk}": pdf(), f"component_{components[1].pk}": pdf("mau.pdf")}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/dossiers", {"data": json.dumps(payload), **files}, **headers)


def test_citizen_submits_online_and_receives_a_dossier_code(citizen_an, bulletin_version, frozen) -> None:
    response = _submit(_client(citizen_an), bulletin_version)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "000.00.09.H99-250303-0001"
    assert body["status"] == "submitted"
    assert body["national_status_code"] == 1
    assert DossierFile.objects.filter(component__dossier__code=body["code"]).count() == 2


def test_a_retry_with_the_same_idempotency_key_returns_the_same_dossier(
    citizen_an, bulletin_version, frozen
) -> None:
    client = _client(citizen_an)
    first = _submit(client, bulletin_version, key="abc-123")
    second = _submit(client, bulletin_version, key="abc-123")
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["code"] == second.json()["code"]
    assert Dossier.objects.count() == 1


def test_a_missing_required_component_is_a_field_error_and_nothing_is_kept(
    citizen_an, bulletin_version, frozen
) -> None:
    first = bulletin_version.components.order_by("order").first()
    response = _submit(_client(citizen_an), bulletin_version, files={f"component_{first.pk}": pdf()})
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert any("Thiếu thành phần bắt buộc" in message for message in fields.values())
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0


def test_a_file_whose_content_is_not_a_pdf_is_refused(citizen_an, bulletin_version, frozen) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    components = list(bulletin_version.components.order_by("order"))
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = _submit(
        _client(citizen_an),
        bulletin_version,
        files={f"component_{components[0].pk}": fake, f"component_{components[1].pk}": pdf()},
    )
    assert response.status_code == 400
    assert "PDF, JPEG" in response.json()["message"]
    assert Dossier.objects.count() == 0


def test_a_png_named_pdf_is_refused(citizen_an, bulletin_version, frozen) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    components = list(bulletin_version.components.order_by("order"))
    png = SimpleUploadedFile("scan.pdf", PNG_BYTES, content_type="application/pdf")
    response = _submit(
        _client(citizen_an),
        bulletin_version,
        files={f"component_{components[0].pk}": png, f"component_{components[1].pk}": pdf()},
    )
    assert response.status_code == 400
    assert Dossier.objects.count() == 0


def test_a_failure_mid_submission_leaves_no_dossier_and_no_orphan_file(
    citizen_an, bulletin_version, frozen, monkeypatch, settings, tmp_path
) -> None:
    from motcua.dossiers import notify

    settings.MEDIA_ROOT = tmp_path

    def explode(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    # The applicant's messages are built last, after the dossier, its components and files (and, on the
    # ORM path, after they were inserted): both write paths must leave nothing behind.
    monkeypatch.setattr(notify, "dossier_notifications_build", explode)
    with pytest.raises(RuntimeError):
        _submit(_client(citizen_an), bulletin_version)
    assert Dossier.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_full_online_flow_with_a_supplement_reaches_returned_and_is_rated(
    citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen
) -> None:
    from motcua.dossiers.reference import rating_criteria_seed

    rating_criteria_seed()
    citizen = _client(citizen_an)
    code = _submit(citizen, bulletin_version).json()["code"]

    clerk = _client(clerk_binh)
    received = clerk.post(f"/api/v1/dossiers/{code}/receive")
    assert received.status_code == 200, received.content
    assert received.json()["status"] == "processing"
    assert received.json()["appointment_at"] is not None

    specialist = _client(specialist_chi)
    detail = specialist.get(f"/api/v1/dossiers/{code}").json()
    appraisal = next(t for t in detail["tasks"] if t["status"] == "active")
    assert appraisal["role"] == "specialist"
    assert specialist.post(f"/api/v1/dossiers/{code}/tasks/{appraisal['id']}/claim").status_code == 200
    asked = specialist.post(
        f"/api/v1/dossiers/{code}/supplement-request",
        {"items": ["Bổ sung mẫu trình bày có chữ ký"]},
        content_type="application/json",
    )
    assert asked.json()["status"] == "awaiting_supplement"
    assert asked.json()["national_status_code"] == 5

    component = bulletin_version.components.order_by("order")[1]
    supplied = citizen.post(
        f"/api/v1/dossiers/{code}/supply", {f"component_{component.pk}": pdf("mau-2.pdf")}
    )
    assert supplied.json()["status"] == "processing"

    done = specialist.post(
        f"/api/v1/dossiers/{code}/tasks/{appraisal['id']}/complete",
        {"note": "Đủ điều kiện"},
        content_type="application/json",
    )
    assert done.json()["status"] == "pending_approval"

    leader = _client(leader_dung)
    approval = next(
        t for t in leader.get(f"/api/v1/dossiers/{code}").json()["tasks"] if t["status"] == "active"
    )
    approved = leader.post(
        f"/api/v1/dossiers/{code}/tasks/{approval['id']}/complete", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"

    clerical = _client(clerical_em)
    issue = next(
        t for t in clerical.get(f"/api/v1/dossiers/{code}").json()["tasks"] if t["status"] == "active"
    )
    issued = clerical.post(
        f"/api/v1/dossiers/{code}/tasks/{issue['id']}/complete",
        {"result_number": "15/GP-SVHTTDL"},
        content_type="application/json",
    )
    assert issued.json()["status"] == "issued"
    assert issued.json()["national_status_code"] == 9

    returned = clerk.post(
        f"/api/v1/dossiers/{code}/return",
        {"method": "online", "recipient": "Nguyễn Văn An"},
        content_type="application/json",
    )
    assert returned.json()["status"] == "returned"

    secret = Dossier.objects.get(code=code).lookup_secret
    public = Client().get(f"/api/v1/dossiers/{code}/status", {"factor": secret}).json()
    assert public["status_label"] == "Đã trả kết quả"
    assert public["national_status_code"] == 10
    assert [e["text"] for e in public["timeline"]][:2] == ["Hồ sơ đã được nộp", "Hồ sơ đã được tiếp nhận"]
    # The one-query public lookup gives exactly what the ORM path gives (the tracking page uses both).
    from motcua.dossiers.selectors import dossier_status_public_lookup
    from motcua.dossiers.status import dossier_status_public

    assert dossier_status_public_lookup(code=code, second_factor=secret) == dossier_status_public(
        Dossier.objects.get(code=code)
    )
    actions = list(DossierEvent.objects.filter(dossier__code=code).values_list("action", flat=True))
    for expected in (
        "submit",
        "receive",
        "start_processing",
        "claim",
        "request_supplement",
        "supply",
        "submit_for_approval",
        "approve",
        "issue",
        "return_result",
    ):
        assert expected in actions


def test_public_status_needs_the_second_factor(citizen_an, bulletin_version, frozen) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    secret = Dossier.objects.get(code=code).lookup_secret
    status = f"/api/v1/dossiers/{code}/status"
    assert Client().get(status).status_code == 404
    assert Client().get(status, {"factor": "0000"}).status_code == 404
    wrong = "".join("2" if ch != "2" else "3" for ch in secret)
    assert Client().get(status, {"factor": wrong}).status_code == 404
    assert Client().get(status, {"factor": secret}).status_code == 200
    # As printed on the receipt (ABCD-EFGH) and typed in lower case, it is the same secret.
    assert Client().get(status, {"factor": f"{secret[:4].lower()}-{secret[4:]}"}).status_code == 200


def test_the_last_four_digits_no_longer_open_a_new_dossier(citizen_an, bulletin_version, frozen) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    secret = Dossier.objects.get(code=code).lookup_secret
    assert len(secret) == 8
    # The phone number ends in 5678 and the ID number in 2345: neither is a second factor any more.
    assert Client().get(f"/api/v1/dossiers/{code}/status", {"factor": "5678"}).status_code == 404
    assert Client().get(f"/api/v1/dossiers/{code}/status", {"factor": "2345"}).status_code == 404


def test_a_dossier_created_before_the_secret_keeps_the_last_four_digits(
    citizen_an, bulletin_version, frozen
) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    Dossier.objects.filter(code=code).update(lookup_secret="")  # as the migration leaves older dossiers
    assert Client().get(f"/api/v1/dossiers/{code}/status", {"factor": "2345"}).status_code == 200
    assert Client().get(f"/api/v1/dossiers/{code}/status", {"factor": "0000"}).status_code == 404


def test_another_citizen_cannot_see_the_dossier(citizen_an, citizen_other, bulletin_version, frozen) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    response = _client(citizen_other).get(f"/api/v1/dossiers/{code}")
    assert response.status_code == 404


def test_staff_of_another_agency_cannot_see_or_receive_the_dossier(
    citizen_an, clerk_other_agency, bulletin_version, frozen
) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    other = _client(clerk_other_agency)
    assert other.get(f"/api/v1/dossiers/{code}").status_code == 404
    assert other.post(f"/api/v1/dossiers/{code}/receive").status_code == 404
    assert Dossier.objects.get(code=code).status == "submitted"


def test_a_guessed_code_looks_like_a_missing_dossier(clerk_binh, bulletin_version, frozen) -> None:
    assert _client(clerk_binh).get("/api/v1/dossiers/000.00.09.H99-250303-0099").status_code == 404


def test_a_specialist_cannot_receive_at_the_counter(
    citizen_an, specialist_chi, bulletin_version, frozen
) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    response = _client(specialist_chi).post(f"/api/v1/dossiers/{code}/receive")
    assert response.status_code in (403, 404)
    assert Dossier.objects.get(code=code).status == "submitted"


def test_clerk_refuses_at_intake_with_reasons(citizen_an, clerk_binh, bulletin_version, frozen) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    clerk = _client(clerk_binh)
    empty = clerk.post(f"/api/v1/dossiers/{code}/refuse", {"reason": "  "}, content_type="application/json")
    assert empty.status_code == 400
    refused = clerk.post(
        f"/api/v1/dossiers/{code}/refuse",
        {"reason": "Không thuộc thẩm quyền"},
        content_type="application/json",
    )
    assert refused.json()["status"] == "refused_at_intake"
    assert refused.json()["national_status_code"] == 3


def test_token_auth_lets_a_machine_client_submit(citizen_an, bulletin_version, frozen) -> None:
    from motcua.core.auth import api_token_create

    _, key = api_token_create(user=citizen_an, name="integration")
    components = list(bulletin_version.components.order_by("order"))
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345"},
    }
    response = Client().post(
        "/api/v1/dossiers",
        {
            "data": json.dumps(payload),
            f"component_{components[0].pk}": pdf(),
            f"component_{components[1].pk}": pdf(),
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201
    assert (
        Client()
        .post("/api/v1/dossiers", {"data": json.dumps(payload)}, HTTP_AUTHORIZATION="Bearer wrong")
        .status_code
        == 401
    )


def test_register_and_receipt_pages_for_the_clerk(
    citizen_an, clerk_binh, clerk_other_agency, bulletin_version, frozen
) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    clerk = _client(clerk_binh)
    clerk.post(f"/api/v1/dossiers/{code}/receive")
    register = clerk.get("/mot-cua/so-theo-doi/", {"from": "2025-03-01", "to": "2025-03-31"}).content.decode()
    assert code in register
    slip = clerk.get(f"/mot-cua/ho-so/{code}/giay-hen/").content.decode()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip
    assert "Nguyễn Văn An" in slip
    assert (
        code
        not in _client(clerk_other_agency)
        .get("/mot-cua/so-theo-doi/", {"from": "2025-03-01", "to": "2025-03-31"})
        .content.decode()
    )
    assert _client(clerk_other_agency).get(f"/mot-cua/ho-so/{code}/giay-hen/").status_code == 404


def test_desk_forms_assign_consult_and_payment(
    citizen_an, clerk_binh, specialist_chi, leader_dung, bulletin_version, province, frozen
) -> None:
    code = _submit(_client(citizen_an), bulletin_version).json()["code"]
    _client(clerk_binh).post(f"/api/v1/dossiers/{code}/receive")
    dossier = Dossier.objects.get(code=code)
    appraisal = dossier.tasks.get(status="active")
    leader = _client(leader_dung)
    page = leader.get(f"/mot-cua/ho-so/{code}/").content.decode()
    assert "Phân công xử lý" in page
    leader.post(f"/mot-cua/ho-so/{code}/assign/", {"task": appraisal.pk, "assignee": specialist_chi.pk})
    appraisal.refresh_from_db()
    assert appraisal.assignee == specialist_chi
    specialist = _client(specialist_chi)
    # Only an agency with a specialist of its own can be consulted.
    StaffRoleFactory(user=StaffFactory(username="tinh"), agency=province, role=Role.SPECIALIST)
    specialist.post(
        f"/mot-cua/ho-so/{code}/consult/",
        {"agency": province.code, "question": "Ý kiến về tên bản tin", "budget_value": "2"},
    )
    assert dossier.tasks.filter(is_consultation=True, agency=province).exists()
    # The stage cannot finish while the consultation is open.
    specialist.post(f"/mot-cua/ho-so/{code}/complete/", {"task": appraisal.pk})
    appraisal.refresh_from_db()
    assert appraisal.status == "active"
    specialist.post(f"/mot-cua/ho-so/{code}/payment_request/", {"items": "Lệ phí 100.000 đồng"})
    assert Dossier.objects.get(code=code).status == "awaiting_payment"
    _client(clerk_binh).post(f"/mot-cua/ho-so/{code}/payment_confirm/", {"reference": "BL-01"})
    assert Dossier.objects.get(code=code).status == "processing"


@pytest.mark.parametrize(
    ("applicant", "top", "field", "words"),
    [
        ({"name": "A" * 256}, {}, "applicant_name", "Tối đa 255 ký tự"),
        ({"phone": "0912-abc-678"}, {}, "applicant_phone", "Số điện thoại không hợp lệ"),
        ({"phone": "0" * 25}, {}, "applicant_phone", "Tối đa 20 ký tự"),
        ({"email": "an@"}, {}, "applicant_email", "thư điện tử không hợp lệ"),
        ({"address": "x" * 501}, {}, "applicant_address", "Tối đa 500 ký tự"),
        ({"kind": "alien"}, {}, "applicant_kind", "Loại chủ hồ sơ"),
        ({"submitter_name": "Trần B", "submitter_id_number": "12ab"}, {}, "submitter_id_number", "12 chữ số"),
        ({}, {"return_method": "pigeon"}, "return_method", "Hình thức nhận kết quả"),
        ({}, {"summary": "s" * 5001}, "summary", "Tối đa 5,000 ký tự"),
        ({}, {"form_data": {"ghi_chu": "x" * 64_001}}, "form_data", "quá dài"),
    ],
)
def test_each_bad_applicant_value_is_a_field_error_and_nothing_is_kept(
    citizen_an, bulletin_version, frozen, settings, tmp_path, applicant, top, field, words
) -> None:
    """Values the database would refuse (or must not hold) are messages on their field, in Vietnamese
    and English — on PostgreSQL as on SQLite, which does not enforce lengths — not server errors."""
    settings.MEDIA_ROOT = tmp_path
    components = list(bulletin_version.components.order_by("order"))
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", **applicant},
        **top,
    }
    files = {f"component_{components[0].pk}": pdf(), f"component_{components[1].pk}": pdf("mau.pdf")}
    response = _client(citizen_an).post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 400, response.content
    fields = response.json()["extra"]["fields"]
    assert list(fields) == [field]
    assert words in fields[field]
    assert Dossier.objects.count() == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
