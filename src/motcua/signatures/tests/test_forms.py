"""The statutory forms 02–07 (Circular 03/2025/TT-VPCP) and the per-procedure result documents: issued
when their event happens, numbered per agency per year, PDF/A with the data printed literally, and only
downloadable by the applicant and the staff who may read the dossier."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.catalog.models import LegalBasis, ResultType
from motcua.core import clock
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.tests.conftest import VN, pdf
from motcua.signatures.appearance import placements_for_anchor
from motcua.signatures.forms import (
    FORMS,
    control_rows,
    control_slip_data,
    date_parts,
    item_split,
    legal_basis_line,
    place_of,
    receipt_data,
    register_data,
    result_template,
)
from motcua.signatures.issuing import form_document_issue
from motcua.signatures.models import IssuedDocument
from motcua.signatures.render import document_anchors, document_font, document_render
from motcua.signatures.results import A4_HEIGHT_PT, result_data

pytestmark = pytest.mark.django_db

SPECIAL = "#*_$<@ `x` [y] \\z"
APPLICANT = f"Nguyễn Văn An {SPECIAL}"


def _submitted(version: Any, citizen: Any, *, name: str = APPLICANT) -> Dossier:
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            summary="Bản tin Thông tin Minh Sơn, 8 trang, 500 bản/kỳ",
            applicant=services.ApplicantData(
                name=name, id_number="001090012345", phone="0912345678", address="12 Lê Lợi, Minh Sơn"
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def _received(version: Any, citizen: Any, clerk: Any, **kw: Any) -> Dossier:
    return services.dossier_receive(dossier=_submitted(version, citizen, **kw), clerk=clerk)


def _active(dossier: Dossier) -> Any:
    return dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False)


def _text(content: bytes, tmp_path: Path, name: str = "form.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    """Without any white space: table cells and narrow columns wrap codes and long lines."""
    return "".join(text.split())


def _assert_pdf_a(content: bytes) -> None:
    assert content.startswith(b"%PDF-")
    assert b"pdfaid" in content  # PDF/A identification in the XMP metadata


def _only(dossier: Dossier, kind: str) -> IssuedDocument:
    documents = list(IssuedDocument.objects.filter(dossier=dossier, kind=kind))
    assert len(documents) == 1, documents
    return documents[0]


def _stored_text(document: IssuedDocument, tmp_path: Path) -> str:
    with document.file.open("rb") as handle:
        content = handle.read()
    _assert_pdf_a(content)
    return _text(content, tmp_path, f"{document.kind}.pdf")


# --- Forms 02–05 are issued by the services, inside their transaction -------------------------------


def test_a_supplement_request_at_intake_stores_form_02_with_the_items_printed_literally(
    citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _submitted(bulletin_version, citizen_an)
    services.dossier_request_intake_supplement(
        dossier=dossier,
        clerk=clerk_binh,
        items=[f"Đơn đề nghị cấp giấy phép — thiếu chữ ký {SPECIAL}", "Mẫu trình bày bản tin: bản mờ"],
    )
    document = _only(dossier, "02")
    assert document.number == "01/PBS-TTPVHCC"
    assert document.pades_level == ""  # not signed: the form records the action
    text = _stored_text(document, tmp_path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert dossier.code in text
    assert APPLICANT in text
    assert f"thiếu chữ ký {SPECIAL}" in text
    assert "Đơn đề nghị cấp giấy phép" in text
    assert "bản mờ" in text
    assert "Số: 01/PBS-TTPVHCC" in text
    assert "Minh Sơn, ngày 03 tháng 3 năm 2025" in text
    assert "Trần Văn Bình" in text  # the clerk who guides the applicant
    # The QR code's address is printed under it (pdftotext drops the hyphen where the line breaks).
    assert _flat(document.verification_url()).replace("-", "") in _flat(text).replace("-", "")


def test_a_supplement_request_during_processing_is_numbered_by_the_competent_agency(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_request_supplement(
        dossier=dossier, officer=specialist_chi, items=["Mẫu măng-sét - thiếu chữ ký người đứng đầu"]
    )
    document = _only(dossier, "02")
    assert document.number == "01/PBS-SVHTTDL"
    text = _stored_text(document, tmp_path)
    assert "SỞ VĂN HÓA, THỂ THAO VÀ DU" in text  # the issuing agency (its name wraps in the header)
    assert "tạm dừng" in text  # the legal clock stops while the applicant supplements
    assert "thiếu chữ ký người đứng đầu" in text


def test_a_refusal_at_intake_stores_form_03_with_its_reason(
    citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _submitted(bulletin_version, citizen_an)
    services.dossier_refuse_at_intake(
        dossier=dossier, clerk=clerk_binh, reason="Thủ tục không thuộc thẩm quyền của tỉnh $<#>"
    )
    document = _only(dossier, "03")
    assert document.number == "01/PTC-TTPVHCC"
    text = _stored_text(document, tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert dossier.code in text
    assert "Thủ tục không thuộc thẩm quyền của tỉnh $<#>" in text
    # Its QR code opens the public verification page of this very document.
    page = Client().get(f"/xac-minh/{document.public_id}/")
    assert page.status_code == 200
    assert "01/PTC-TTPVHCC" in page.content.decode()


def test_a_refusal_after_appraisal_issues_form_03_in_the_competent_agency_s_name(
    citizen_an, clerk_binh, specialist_chi, leader_dung, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.dossier_propose_refusal(
        dossier=dossier, specialist=specialist_chi, reason="Nội dung bản tin trái với tôn chỉ, mục đích"
    )
    processing.task_complete(task=_active(dossier), user=leader_dung)
    document = _only(dossier, "03")
    assert document.number == "01/PTC-SVHTTDL"
    text = _stored_text(document, tmp_path)
    assert "Nội dung bản tin trái với tôn chỉ, mục đích" in text
    assert "GIÁM ĐỐC" in text
    assert "Hoàng Văn Dũng" in text


def test_an_apology_stores_form_04_with_the_reason_and_the_extension_asked(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    assert dossier.appointment_at is not None
    new = dt.datetime(2025, 3, 14, 16, 0, tzinfo=VN)
    services.dossier_apologise(
        dossier=dossier, officer=specialist_chi, reason="Chờ ý kiến của Bộ #1", new_appointment_at=new
    )
    document = _only(dossier, "04")
    assert document.number == "01/PXL-SVHTTDL"
    text = _stored_text(document, tmp_path)
    # Circular 03/2025 Annex I's title (legal-review 3.2), not the old "phiếu xin lỗi và hẹn lại".
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "HẸN LẠI" not in text
    assert dossier.code in text
    assert "Số định danh cá nhân: 001090012345" in text
    assert "Chờ ý kiến của Bộ #1" in text
    assert "16 giờ 00 phút, ngày 14/03/2025" in text  # the new appointment
    assert "10/03/2025" in text  # the appointment that will be missed
    # 17:00 on Monday 10/03 to 16:00 on Friday 14/03: three working days, then Friday's morning (4 h)
    # and 13:30–16:00 (2.5 h).
    assert _flat("đề nghị gia hạn thời gian giải quyết hồ sơ thêm 3 ngày 6,5 giờ làm việc;") in _flat(text)


def test_stopping_stores_form_05_signed_by_the_leader(
    citizen_an, clerk_binh, leader_dung, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_stop(
        dossier=dossier, leader=leader_dung, reason="Có tranh chấp về quyền sở hữu *bản tin*"
    )
    document = _only(dossier, "05")
    assert document.number == "01/TB-SVHTTDL"
    text = _stored_text(document, tmp_path)
    assert "THÔNG BÁO" in text
    assert "Về việc dừng giải quyết hồ sơ" in text
    assert dossier.code in text
    assert "Có tranh chấp về quyền sở hữu *bản tin*" in text
    assert "Hoàng Văn Dũng" in text


def test_withdrawing_a_received_dossier_stores_form_05_but_a_submitted_one_needs_none(
    citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    received = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_withdraw(dossier=received, user=citizen_an, reason="Nộp nhầm thủ tục")
    text = _stored_text(_only(received, "05"), tmp_path)
    assert "Minh Sơn; mã hồ sơ:" in text  # punctuation after a typst expression is kept
    assert "đã đề nghị rút hồ sơ" in text
    assert "Nộp nhầm thủ tục" in text

    submitted = _submitted(bulletin_version, citizen_an)
    services.dossier_withdraw(dossier=submitted, user=citizen_an, reason="Không cần nữa")
    assert not IssuedDocument.objects.filter(dossier=submitted).exists()


def test_numbers_run_per_agency_and_restart_on_1_january(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    first = _submitted(bulletin_version, citizen_an)
    second = _submitted(bulletin_version, citizen_an)
    for dossier in (first, second):
        services.dossier_request_intake_supplement(dossier=dossier, clerk=clerk_binh, items=["Đơn: thiếu"])
    processing_dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_request_supplement(dossier=processing_dossier, officer=specialist_chi, items=["Mẫu"])
    frozen.move_to(dt.datetime(2026, 1, 5, 9, 0, tzinfo=VN))
    next_year = _submitted(bulletin_version, citizen_an)
    services.dossier_request_intake_supplement(dossier=next_year, clerk=clerk_binh, items=["Đơn: thiếu"])
    assert [_only(d, "02").number for d in (first, second, processing_dossier, next_year)] == [
        "01/PBS-TTPVHCC",
        "02/PBS-TTPVHCC",
        "01/PBS-SVHTTDL",  # another agency, its own register
        "01/PBS-TTPVHCC",  # a new year
    ]


def test_when_the_form_cannot_be_rendered_the_action_rolls_back_and_the_number_is_given_back(
    citizen_an, clerk_binh, bulletin_version, frozen, monkeypatch
) -> None:
    from motcua.signatures import issuing
    from motcua.signatures.render import RenderError

    dossier = _submitted(bulletin_version, citizen_an)

    def broken(**kwargs: Any) -> bytes:
        raise RenderError("typst is not available")

    monkeypatch.setattr(issuing, "document_render", broken)
    with pytest.raises(RenderError):
        services.dossier_refuse_at_intake(dossier=dossier, clerk=clerk_binh, reason="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    assert not dossier.events.filter(action="refuse_at_intake").exists()
    monkeypatch.undo()
    services.dossier_refuse_at_intake(dossier=dossier, clerk=clerk_binh, reason="Không thuộc thẩm quyền")
    assert _only(dossier, "03").number == "01/PTC-TTPVHCC"


def test_only_the_stored_forms_can_be_issued(citizen_an, clerk_binh, bulletin_version, frozen) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    for kind in ("01", "06", "07", "99"):
        with pytest.raises(ValueError, match="not issued"):
            form_document_issue(dossier=dossier, kind=kind, actor=clerk_binh)


# --- Downloads and pages --------------------------------------------------------------------------------


def test_only_the_applicant_and_the_dossier_s_staff_can_download_a_form(
    citizen_an, citizen_other, clerk_binh, specialist_chi, clerk_other_agency, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Mẫu: thiếu"])
    document = _only(dossier, "02")
    url = f"/van-ban/phieu/{dossier.code}/{document.public_id}.pdf"
    for user, status in (
        (citizen_an, 200),
        (clerk_binh, 200),
        (specialist_chi, 200),
        (citizen_other, 404),
        (clerk_other_agency, 404),
        (None, 404),
    ):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert b"".join(response.streaming_content) == document.file.open("rb").read()  # type: ignore[attr-defined]
    # A public id of another dossier's document does not open through this dossier.
    other = _received(bulletin_version, citizen_other, clerk_binh, name="Lê Thị Khác")
    services.dossier_request_supplement(dossier=other, officer=specialist_chi, items=["Mẫu: thiếu"])
    client = Client()
    client.force_login(citizen_an)
    assert client.get(f"/van-ban/phieu/{dossier.code}/{_only(other, '02').public_id}.pdf").status_code == 404


def test_the_dossier_pages_link_the_issued_forms_and_the_control_slip(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Mẫu: thiếu"])
    form_url = f"/van-ban/phieu/{dossier.code}/{_only(dossier, '02').public_id}.pdf"
    slip_url = f"/van-ban/phieu-kiem-soat/{dossier.code}.pdf"
    staff = Client()
    staff.force_login(clerk_binh)
    page = staff.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert form_url in page
    assert slip_url in page
    assert "01/PBS-SVHTTDL" in page
    citizen = Client()
    citizen.force_login(citizen_an)
    page = citizen.get(f"/ho-so/{dossier.code}/").content.decode()
    assert form_url in page
    assert slip_url in page
    assert "/van-ban/ket-qua/" not in page  # no result yet: a form is not the result


def test_the_control_slip_shows_each_hand_over_with_its_timeliness(
    citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 3, 4, 10, 0, tzinfo=VN))
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    frozen.move_to(dt.datetime(2025, 3, 11, 10, 0, tzinfo=VN))  # the leader is late
    tasks = list(dossier.tasks.select_related("agency", "assignee").order_by("order", "pk"))
    events = list(dossier.events.select_related("actor", "actor_agency").order_by("at", "pk"))
    rows = control_rows(dossier, tasks, events, now=clock.now())
    assert [r["step"] for r in rows] == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Phê duyệt"]
    intake, appraisal, approval = rows
    assert intake["giver"] == {"unit": "Người nộp hồ sơ", "person": APPLICANT}
    assert intake["receiver"]["person"] == "Trần Văn Bình"
    assert appraisal["giver"] == {
        "unit": "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn",
        "person": "Trần Văn Bình",
    }
    assert appraisal["receiver"] == {"unit": "Sở Văn hóa, Thể thao và Du lịch", "person": "Phạm Thị Chi"}
    assert appraisal["result"] == "Trước hạn"
    assert approval["giver"]["person"] == "Phạm Thị Chi"
    assert approval["result"] == "Đang quá hạn"

    client = Client()
    client.force_login(leader_dung)
    response = client.get(f"/van-ban/phieu-kiem-soat/{dossier.code}.pdf")
    assert response.status_code == 200
    _assert_pdf_a(response.content)
    text = _text(response.content, tmp_path)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "09 giờ 00 phút, ngày 03/03/2025; hẹn trả kết quả: 17 giờ 00 phút" in " ".join(text.split())
    assert dossier.code in _flat(text)
    assert "Trước hạn" in text
    assert "Đangquáhạn" in _flat(text)
    assert _flat(f"tra-cuu/?code={dossier.code}") in _flat(text)  # the QR opens the tracking page


def test_the_control_slip_records_pauses_and_the_return(
    citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 3, 3, 14, 0, tzinfo=VN))
    services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Mẫu: thiếu"])
    frozen.move_to(dt.datetime(2025, 3, 4, 8, 30, tzinfo=VN))
    services.dossier_supply(dossier=dossier, user=citizen_an, files={}, note="Đã nộp mẫu")
    for day, user in ((5, specialist_chi), (6, leader_dung), (7, clerical_em)):
        frozen.move_to(dt.datetime(2025, 3, day, 10, 0, tzinfo=VN))
        processing.task_complete(task=_active(dossier), user=user)
    frozen.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=VN))
    services.dossier_return_result(dossier=dossier, clerk=clerk_binh, method="counter", recipient="Nguyễn An")
    dossier.refresh_from_db()
    data = control_slip_data(
        dossier,
        tasks=list(dossier.tasks.select_related("agency", "assignee")),
        events=list(dossier.events.select_related("actor", "actor_agency")),
        now=clock.now(),
    )
    steps = [r["step"] for r in data["rows"]]
    assert steps[:2] == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ"]
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ" in steps
    assert "Nộp hồ sơ bổ sung" in steps
    assert steps[-1] == "Trả kết quả cho người nộp"
    assert data["rows"][-1]["receiver"]["person"] == "Nguyễn An"
    supplied = next(r for r in data["rows"] if r["step"] == "Nộp hồ sơ bổ sung")
    assert supplied["receiver"] == {"unit": "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn", "person": ""}
    assert [r["no"] for r in data["rows"]] == list(range(1, len(steps) + 1))
    assert data["lead_agency"] == "Sở Văn hóa, Thể thao và Du lịch"
    text = _text(document_render(template="control_slip", data=data), tmp_path)
    assert "Trả kết quả cho người nộp" in text
    assert "Tạm dừng" in text


def test_the_control_slip_is_404_for_other_agencies_and_other_citizens(
    citizen_an, citizen_other, clerk_other_agency, clerk_binh, bulletin_version, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    url = f"/van-ban/phieu-kiem-soat/{dossier.code}.pdf"
    for user, status in ((citizen_an, 200), (citizen_other, 404), (clerk_other_agency, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user
    assert Client().get(url).status_code == 404


def test_the_register_extract_lists_the_agency_s_dossiers_in_the_range(
    citizen_an, clerk_binh, specialist_chi, bulletin_version, frozen, tmp_path
) -> None:
    inside = _received(bulletin_version, citizen_an, clerk_binh)
    frozen.move_to(dt.datetime(2025, 4, 2, 9, 0, tzinfo=VN))
    outside = _received(bulletin_version, citizen_an, clerk_binh)
    client = Client()
    client.force_login(clerk_binh)
    response = client.get("/van-ban/so-theo-doi.pdf", {"from": "2025-03-01", "to": "2025-03-31"})
    assert response.status_code == 200
    _assert_pdf_a(response.content)
    text = _text(response.content, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/03/2025 đến ngày 31/03/2025" in text
    assert inside.code in _flat(text)
    assert outside.code not in _flat(text)
    assert "Nguyễn Văn An" in text
    # The competent agency keeps its own register of the same dossiers.
    client.force_login(specialist_chi)
    text = _text(client.get("/van-ban/so-theo-doi.pdf?from=2025-03-01&to=2025-04-30").content, tmp_path)
    assert inside.code in _flat(text)
    assert outside.code in _flat(text)
    assert _flat("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH") in _flat(text)


def test_the_register_extract_is_only_for_staff_of_that_agency(
    citizen_an, clerk_binh, clerk_other_agency, bulletin_version, service_centre, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    url = "/van-ban/so-theo-doi.pdf?from=2025-03-01&to=2025-03-31"
    citizen = Client()
    citizen.force_login(citizen_an)
    assert citizen.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(clerk_other_agency)
    assert other.get(f"{url}&agency={service_centre.code}").status_code == 404
    own = other.get(url)  # the commune's own register: nothing of the province's centre
    assert own.status_code == 200
    assert dossier.code not in _flat(_text(own.content, tmp_path))
    clerk = Client()
    clerk.force_login(clerk_binh)
    assert clerk.get("/van-ban/so-theo-doi.pdf?from=2025-03-31&to=2025-03-01").status_code == 400
    assert clerk.get("/van-ban/so-theo-doi.pdf?from=hôm-qua").status_code == 400


def test_the_register_data_takes_transfer_and_return_from_the_timeline(
    citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version, service_centre, frozen
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    for user in (specialist_chi, leader_dung, clerical_em):
        processing.task_complete(task=_active(dossier), user=user)
    services.dossier_return_result(dossier=dossier, clerk=clerk_binh, method="counter", recipient="Nguyễn An")
    dossier = Dossier.objects.get(pk=dossier.pk)
    data = register_data(
        agency=service_centre,
        dossiers=[dossier],
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        now=clock.now(),
        link="http://x/",
    )
    (row,) = data["rows"]
    assert row["received"] == row["transferred"] == "09:00 03/03/2025"
    assert row["returned"] == "09:00 03/03/2025"
    assert row["recipient"] == "Nguyễn An"
    assert row["note"] == "Đã trả kết quả"


# --- Result documents per procedure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result_type", "template", "expected"),
    [
        (ResultType.LICENCE, "licence", ["GIẤY PHÉP XUẤT BẢN BẢN TIN", "CHO PHÉP:"]),
        (
            ResultType.CERTIFICATE,
            "certificate",
            ["GIẤY CHỨNG NHẬN ĐĂNG KÝ BẢN TIN", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH CHỨNG NHẬN:"],
        ),
        (
            ResultType.DECISION,
            "decision",
            ["QUYẾT ĐỊNH", "Về việc cấp giấy phép xuất bản bản tin", "QUYẾT ĐỊNH:", "Điều 1.", "Điều 3."],
        ),
    ],
)
def test_the_result_document_follows_the_procedure_s_result_type(
    result_type, template, expected, citizen_an, clerk_binh, leader_dung, bulletin_version, frozen, tmp_path
) -> None:
    bulletin_version.result_type = result_type
    bulletin_version.result_name = {
        ResultType.LICENCE: "Giấy phép xuất bản bản tin",
        ResultType.CERTIFICATE: "Giấy chứng nhận đăng ký bản tin",
        ResultType.DECISION: "Quyết định cấp phép",
    }[result_type]
    bulletin_version.save()
    LegalBasis.objects.create(
        version=bulletin_version,
        order=0,
        number="103/2016/QH13",
        title="Luật Báo chí",
        issued_on=dt.date(2016, 4, 5),
    )
    LegalBasis.objects.create(
        version=bulletin_version,
        order=1,
        number="119/2020/NĐ-CP",
        title="Nghị định quy định xử phạt vi phạm hành chính trong hoạt động báo chí",
        issued_on=dt.date(2020, 10, 7),
    )
    assert result_template(bulletin_version) == template
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    dossier.result_number = "15/GP-SVHTTDL"
    content = document_render(template=template, data=result_data(dossier, approver=leader_dung))
    _assert_pdf_a(content)
    text = _text(content, tmp_path)
    for phrase in expected:
        assert phrase in text, phrase
    assert "GIÁM ĐỐC SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text or template == "certificate"
    flat = _flat(text)
    assert _flat("Căn cứ Luật Báo chí số 103/2016/QH13 ngày 05 tháng 4 năm 2016;") in flat
    assert _flat("Căn cứ Nghị định số 119/2020/NĐ-CP ngày 07 tháng 10 năm 2020 quy định xử phạt") in flat
    assert dossier.code in flat
    assert _flat(APPLICANT) in flat
    assert "Số: 15/GP-SVHTTDL" in text
    assert "Hoàng Văn Dũng" in text


def test_other_result_types_keep_the_generic_template(bulletin_version) -> None:
    for result_type in (ResultType.EXTRACT, ResultType.OTHER):
        bulletin_version.result_type = result_type
        assert result_template(bulletin_version) == "result"


# --- Pure pieces ----------------------------------------------------------------------------------------


def test_items_split_into_document_and_reason() -> None:
    assert item_split("Đơn đề nghị — thiếu chữ ký") == {"document": "Đơn đề nghị", "reason": "thiếu chữ ký"}
    assert item_split("Bản sao CCCD: mờ, không đọc được") == {
        "document": "Bản sao CCCD",
        "reason": "mờ, không đọc được",
    }
    assert item_split("Giấy ủy quyền") == {"document": "Giấy ủy quyền", "reason": ""}


def test_dates_follow_decree_30() -> None:
    assert date_parts(dt.datetime(2025, 2, 5, 1, 0, tzinfo=dt.UTC)) == {
        "day": "05",
        "month": "02",
        "year": "2025",
    }
    assert date_parts(dt.datetime(2025, 3, 5, 1, 0, tzinfo=dt.UTC)) == {
        "day": "05",
        "month": "3",
        "year": "2025",
    }
    # 31/12 23:30 UTC is already New Year's morning in Vietnam.
    assert date_parts(dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)) == {
        "day": "01",
        "month": "01",
        "year": "2026",
    }


def test_the_place_is_the_administrative_unit_of_the_agency(
    culture_department, commune, service_centre
) -> None:
    assert place_of(culture_department) == "Minh Sơn"
    assert place_of(service_centre) == "Minh Sơn"
    assert place_of(commune) == "Minh Khai"


def test_legal_basis_lines_read_like_a_vietnamese_preamble() -> None:
    law = LegalBasis(number="60/2014/QH13", title="Luật Hộ tịch", issued_on=dt.date(2014, 11, 20))
    decree = LegalBasis(
        number="123/2015/NĐ-CP",
        title="Nghị định quy định chi tiết Luật Hộ tịch",
        issued_on=dt.date(2015, 11, 15),
    )
    undated = LegalBasis(number="04/2024/TT-BTP", title="Thông tư", issued_on=None)
    assert legal_basis_line(law) == "Căn cứ Luật Hộ tịch số 60/2014/QH13 ngày 20 tháng 11 năm 2014"
    assert legal_basis_line(decree) == (
        "Căn cứ Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 quy định chi tiết Luật Hộ tịch"
    )
    assert legal_basis_line(undated) == "Căn cứ Thông tư số 04/2024/TT-BTP"


def test_the_forms_catalogue_names_a_symbol_for_every_stored_form() -> None:
    assert {code for code, spec in FORMS.items() if spec.stored} == {"02", "03", "04", "05"}
    assert {FORMS[c].symbol for c in ("02", "03", "04", "05")} == {"PBS", "PTC", "PXL", "TB"}
    for spec in FORMS.values():
        assert (Path(__file__).parents[1] / "typst" / f"{spec.template}.typ").is_file()


def test_the_signature_block_follows_the_authority_of_the_signer(commune, culture_department) -> None:
    from types import SimpleNamespace

    from motcua.signatures.forms import signer_for

    deputy = SimpleNamespace(title="Phó Chủ tịch", __str__=lambda self: "x")
    assert signer_for(commune, deputy)["lines"] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert signer_for(culture_department, None) == {"lines": ["GIÁM ĐỐC"], "note": "", "name": ""}


# --- Circular 03/2025 Annex I fields (legal-review 3.3, 3.5) ---------------------------------------------


def _with_representative(version: Any, citizen: Any, clerk: Any) -> Dossier:
    components = list(version.components.order_by("order"))
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            summary="Bản tin",
            applicant=services.ApplicantData(
                name="Nguyễn Văn An",
                id_number="001090012345",
                phone="0912345678",
                email="an@example.vn",
                address="12 Lê Lợi, Minh Sơn",
                submitter_name="Trần Thị Bích",
                submitter_id_number="001185004321",
                authorisation_note="Giấy ủy quyền số 12/UQ ngày 01/03/2025",
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )
    return services.dossier_receive(dossier=dossier, clerk=clerk)


def test_the_receipt_carries_the_id_number_the_representative_the_register_entry_and_the_e_signature(
    citizen_an, clerk_binh, bulletin_version, service_centre, frozen, tmp_path
) -> None:
    first = _received(bulletin_version, citizen_an, clerk_binh)
    dossier = _with_representative(bulletin_version, citizen_an, clerk_binh)
    data = receipt_data(dossier)
    assert data["id_label"] == "Số định danh cá nhân"
    assert data["id_number"] == "001090012345"
    assert data["representative"] == {
        "name": "Trần Thị Bích",
        "id_number": "001185004321",
        "authorisation": "Giấy ủy quyền số 12/UQ ngày 01/03/2025",
    }
    assert receipt_data(first)["representative"] is None
    # One register a year: the second dossier the centre received in 2025 is entry 2 of book 2025.
    assert data["register"] == {"book": "2025", "entry": 2}
    assert receipt_data(first)["register"] == {"book": "2025", "entry": 1}
    client = Client()
    client.force_login(clerk_binh)
    response = client.get(f"/van-ban/giay-hen/{dossier.code}.pdf")
    assert response.status_code == 200
    _assert_pdf_a(response.content)
    text = _text(response.content, tmp_path)
    flat = _flat(text)
    assert "Số định danh cá nhân: 001090012345" in text
    assert _flat("Người được ủy quyền: Trần Thị Bích; số định danh cá nhân: 001185004321") in flat
    assert _flat("văn bản ủy quyền: Giấy ủy quyền số 12/UQ ngày 01/03/2025") in flat
    assert "an@example.vn" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2025, Số thứ tự: 2" in text
    assert _flat("Chữ ký số của công chức tiếp nhận (nếu là biểu mẫu điện tử)") in flat
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    # The electronic form marks where the receiving official's digital signature goes.
    anchors = document_anchors(template="receipt", data=data, label="chu-ky-tiep-nhan")
    assert len(anchors) == 1
    assert anchors[0]["page"] == 1


def test_the_receipt_s_place_and_date_follow_decree_30_like_the_other_forms(
    citizen_an, clerk_binh, bulletin_version, province, service_centre, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)  # received 03/03/2025
    data = receipt_data(dossier)
    assert {k: data[k] for k in ("day", "month", "year")} == date_parts(dossier.received_at)
    assert (data["day"], data["month"]) == ("03", "3")  # a zero before days < 10, not before March
    assert data["place"] == place_of(service_centre) == "Minh Sơn"
    text = _text(document_render(template="receipt", data=data), tmp_path)
    assert "Minh Sơn, ngày 03 tháng 3 năm 2025" in text
    # The place comes from the agency tree, not from the demo's codes.
    province.name = "Ủy ban nhân dân tỉnh Hòa Bình"
    province.save()
    dossier = Dossier.objects.select_related("receiving_agency__parent").get(pk=dossier.pk)
    assert receipt_data(dossier)["place"] == "Hòa Bình"


def test_forms_02_03_and_05_print_the_applicant_s_id_number_and_representative(
    citizen_an, clerk_binh, leader_dung, bulletin_version, frozen, tmp_path
) -> None:
    supplemented = _with_representative(bulletin_version, citizen_an, clerk_binh)
    services.dossier_stop(dossier=supplemented, leader=leader_dung, reason="Có tranh chấp")
    refused = _submitted(bulletin_version, citizen_an)
    services.dossier_refuse_at_intake(dossier=refused, clerk=clerk_binh, reason="Không thuộc thẩm quyền")
    asked = _submitted(bulletin_version, citizen_an)
    services.dossier_request_intake_supplement(dossier=asked, clerk=clerk_binh, items=["Đơn — thiếu chữ ký"])
    for dossier, kind in ((asked, "02"), (refused, "03"), (supplemented, "05")):
        text = _stored_text(_only(dossier, kind), tmp_path)
        assert "Số định danh cá nhân: 001090012345" in text, kind
    assert "Người được ủy quyền: Trần Thị Bích" in _stored_text(_only(supplemented, "05"), tmp_path)


def test_the_control_slip_and_the_register_are_numbered_and_the_register_has_annex_i_s_columns(
    citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    _received(bulletin_version, citizen_an, clerk_binh)
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    client = Client()
    client.force_login(clerk_binh)
    slip = _text(client.get(f"/van-ban/phieu-kiem-soat/{dossier.code}.pdf").content, tmp_path)
    assert "Số: 02/PKS-TTPVHCC" in slip  # the dossier's entry in the centre's register
    register = _text(client.get("/van-ban/so-theo-doi.pdf?from=2025-03-01&to=2025-03-31").content, tmp_path)
    assert "Số: 2025/STD-TTPVHCC" in register
    flat = _flat(register)
    assert _flat("Phương thức nhận kết quả") in flat
    assert _flat("Ký nhận") in flat
    assert _flat("Nhận trực tuyến") in flat  # the dossiers' return method


# --- Typeface (legal-review 3.4) ---------------------------------------------------------------------


def _fontconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fonts: Path) -> None:
    """fontconfig sees only ``fonts``: what the host has installed does not count."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    document_font.cache_clear()


@pytest.fixture
def font_lookup() -> Any:
    document_font.cache_clear()
    yield document_font
    document_font.cache_clear()


def _times_new_roman(directory: Path) -> Path:
    """A stand-in "Times New Roman": Liberation Serif under that family name (the real one is not free)."""
    from fontTools.ttLib import TTFont

    directory.mkdir(parents=True, exist_ok=True)
    for style, postscript in (("Regular", "TimesNewRomanPSMT"), ("Bold", "TimesNewRomanPS-BoldMT")):
        font = TTFont(f"/usr/share/fonts/truetype/liberation2/LiberationSerif-{style}.ttf")
        for record in font["name"].names:
            if record.nameID in (1, 16):
                record.string = "Times New Roman"
            elif record.nameID == 4:
                record.string = f"Times New Roman {style}"
            elif record.nameID == 6:
                record.string = postscript
        font.save(str(directory / f"times-{style.lower()}.ttf"))
    return directory


def _pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _keywords(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next((line for line in info.splitlines() if line.startswith("Keywords:")), "")


_FONT_DATA = {
    "title": "THÔNG BÁO",
    "summary": "",
    "parent": "",
    "agency": "Sở Văn hóa",
    "number": "01/TB",
    "place": "Minh Sơn",
    "day": "03",
    "month": "3",
    "year": "2025",
    "qr": "",
    "qr_url": "",
    "qr_caption": "",
}


def _font_probe() -> bytes:
    from motcua.signatures.forms import qr_svg

    return document_render(
        template="result",
        data={
            **_FONT_DATA,
            "qr": qr_svg("x"),
            "code": "X",
            "applicant": "An",
            "received": "03/03/2025",
            "fields": [],
            "signer": {"lines": ["GIÁM ĐỐC"], "note": "", "name": "Dũng"},
            "recipients": [],
        },
    )


def test_documents_are_set_in_times_new_roman_when_the_host_has_it(
    font_lookup, monkeypatch, tmp_path
) -> None:
    fonts = _times_new_roman(tmp_path / "fonts")
    _fontconfig(monkeypatch, tmp_path, fonts)
    chosen = font_lookup()
    assert chosen.family == "Times New Roman"
    assert str(fonts) in chosen.directories
    content = _font_probe()
    assert "TimesNewRoman" in _pdf_fonts(content, tmp_path)
    assert "LiberationSerif" not in _pdf_fonts(content, tmp_path)
    assert "Phông chữ: Times New Roman" in _keywords(content, tmp_path)


def test_documents_fall_back_to_liberation_serif_without_times_new_roman(
    font_lookup, monkeypatch, tmp_path
) -> None:
    (tmp_path / "empty").mkdir()
    _fontconfig(monkeypatch, tmp_path, tmp_path / "empty")
    assert font_lookup().family == "Liberation Serif"
    content = _font_probe()
    assert "LiberationSerif" in _pdf_fonts(content, tmp_path)
    assert "Phông chữ: Liberation Serif" in _keywords(content, tmp_path)
    # Without fontconfig at all, the same.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    font_lookup.cache_clear()
    assert font_lookup().family == "Liberation Serif"


# --- The signature block (issue 9 point 7; walk step 11) --------------------------------------------------


def test_no_caption_of_the_signature_block_lies_under_the_seal(
    leader_dung, citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    from motcua.signatures.appearance import MM, SIGNATURE_SPACE_MM, signature_layout

    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    data = result_data(dossier, approver=leader_dung)
    assert data["signer"]["space"] == SIGNATURE_SPACE_MM  # the template leaves the room the layout needs
    anchor = document_anchors(template=result_template(dossier.procedure_version), data=data)[-1]
    layout = signature_layout(x=anchor["x"], top=A4_HEIGHT_PT - anchor["y"])
    captions = (layout.personal_caption, layout.agency_caption)
    for caption in captions:
        assert not caption.intersects(layout.seal)
    assert not layout.personal_caption.intersects(layout.agency_caption)
    assert not layout.personal_caption.intersects(layout.handwriting)
    assert layout.personal.contains(layout.personal_caption)
    assert layout.personal.contains(layout.handwriting)
    assert layout.agency.contains(layout.agency_caption)
    assert layout.agency.contains(layout.seal)
    # Decree 30: the seal covers about the left third of the signature.
    covered = (layout.seal.x2 - layout.handwriting.x1) / layout.handwriting.width
    assert 0.2 <= covered <= 0.4
    assert layout.seal.x1 < layout.handwriting.x1
    # Everything stays in the signature column and above the printed name.
    for box in (layout.personal, layout.agency):
        assert layout.space.contains(box)
    assert layout.space.height == pytest.approx(SIGNATURE_SPACE_MM * MM)
    assert layout.space.x1 >= anchor["x"] - 40.5 * MM
    # The widgets pyHanko gets are these boxes.
    personal, agency = placements_for_anchor(page=0, x=anchor["x"], y=anchor["y"], page_height=A4_HEIGHT_PT)
    assert personal.box == tuple(
        round(v) for v in (layout.personal.x1, layout.personal.y1, layout.personal.x2, layout.personal.y2)
    )
    assert agency.box[1] == round(layout.agency.y1)


@pytest.mark.parametrize(
    ("person", "agency"),
    [
        ("Hoàng Văn Dũng", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Nguyễn Thị Phương Thảo Nguyên", "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn"),
    ],
)
def test_the_captions_fit_their_boxes_at_full_size_with_vietnamese_times(person, agency) -> None:
    from motcua.signatures.appearance import (
        STAMP_FONT_SIZE,
        STAMP_LEADING,
        agency_caption,
        personal_caption,
        signature_layout,
        text_width,
    )

    moment = dt.datetime(2026, 12, 2, 12, 45, 3, tzinfo=dt.UTC)
    layout = signature_layout(x=400, top=300)
    for lines, box in (
        (personal_caption(full_name=person, moment=moment), layout.personal_caption),
        (agency_caption(agency_name=agency, moment=moment), layout.agency_caption),
    ):
        assert len(lines) * STAMP_LEADING <= box.height
        for line in lines:
            assert text_width(line) <= box.width, line
        joined = " ".join(lines)
        assert "02/12/2026 19:45:03 +07:00" in lines[-1]  # Vietnam time, never broken, never ISO
        assert "T19" not in joined
        assert "Scan" not in joined
    assert personal_caption(full_name=person, moment=moment)[0].startswith(f"Ký bởi: {person.split()[0]}")
    assert STAMP_FONT_SIZE >= 7


def test_the_signature_styles_carry_the_captions_without_shrinking_them(frozen) -> None:
    from pyhanko.pdf_utils.layout import InnerScaling

    from motcua.signatures.appearance import personal_stamp_style, seal_stamp_style

    moment = dt.datetime(2026, 12, 2, 12, 45, 3, tzinfo=dt.UTC)
    personal = personal_stamp_style(full_name="Hoàng Văn Dũng", moment=moment)
    seal = seal_stamp_style(agency_name="Sở 100% Văn hóa", centre_text="Minh Sơn", moment=moment)
    assert "Ký bởi: Hoàng Văn Dũng" in personal.stamp_text
    assert "02/12/2026 19:45:03 +07:00" in personal.stamp_text
    assert "Cơ quan: Sở 100%% Văn hóa" in seal.stamp_text  # pyHanko's %-parameters stay literal
    for style in (personal, seal):
        assert style.inner_content_layout is not None
        assert style.inner_content_layout.inner_content_scaling == InnerScaling.NO_SCALING


def test_the_result_s_qr_caption_is_vietnamese_only(
    leader_dung, citizen_an, clerk_binh, bulletin_version, frozen, tmp_path
) -> None:
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    data = result_data(dossier, approver=leader_dung, document_url="http://127.0.0.1:8000/xac-minh/x/")
    assert data["qr_caption"] == "Quét mã QR để xác minh văn bản điện tử"
    text = _text(document_render(template=result_template(dossier.procedure_version), data=data), tmp_path)
    assert "Scan" not in text
