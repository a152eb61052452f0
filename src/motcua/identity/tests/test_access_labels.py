"""``access_labels.access_label``: every shape the code writes into the personal-data record comes out in the
citizen's words, and nothing of the machine's (a path, a method, an id, a kind, "HS:") reaches them. The rows
are written by the real writers (the staff-read port, the gateway's recorder, the national look-up), so a
writer that changes its shape breaks these tests, not the citizen's page."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from motcua.core import clock
from motcua.gateway.personal_data import GatewayRead
from motcua.identity.access_labels import PREFILL_PURPOSE, AccessLabel, access_label, form_public_ids
from motcua.identity.models import AccessorKind, PersonalDataAccess
from motcua.identity.services import DossierReadsToAccessRecord, GatewayReadsToAccessRecord
from motcua.national.access import national_access_record

pytestmark = pytest.mark.django_db

AN = "001090012345"
CODE = "000.00.31.H12-261203-0001"
FORM_ID = "6f1c1b8e-4f0a-4c51-9d1e-2b7f3a1c9e10"
# What the citizen must never read: the audit's own tokens.
RAW = re.compile(
    r"/api|/congdan|\bGET\b|\bPOST\b|register |receipt|result\b|control_slip|form [0-9a-f]|HS:|inbox|"
    r"digitization|admin_search|thông điệp|\[|m-42|[0-9a-f]{8}-[0-9a-f]{4}-"
)


def _clean(label: AccessLabel) -> None:
    for text in (label.who, label.what, label.purpose):
        assert not RAW.search(text), text


def _staff_read(clerk: Any, kind: str, target: str, *, code: str = CODE) -> PersonalDataAccess:
    PersonalDataAccess.objects.all().delete()
    dossier = SimpleNamespace(code=code, applicant_id_number=AN, submitter_id_number="")
    DossierReadsToAccessRecord().staff_reads_record(
        user=clerk,
        reader=f"{clerk.username} ({clerk.full_name})",
        dossiers=[dossier],  # type: ignore[list-item]
        kind=kind,
        target=target,
        at=clock.now(),
    )
    return PersonalDataAccess.objects.get()


# Every (kind, target) the dossier access log's callers write (dossiers.views/api/admin/downloads,
# signatures.views, digitization.selectors), and a kind nobody writes yet.
STAFF_SHAPES = [
    ("view", "", "Xem thông tin hồ sơ"),
    ("view", "admin", "Xem hồ sơ trong trang quản trị"),
    ("view", "digitization", "Xem hồ sơ để số hóa giấy tờ"),
    ("file", "Tờ khai đề nghị: to-khai.pdf", "Mở tệp đính kèm «to-khai.pdf» (Tờ khai đề nghị)"),
    ("file", "", "Mở tệp đính kèm của hồ sơ"),
    ("pdf", "receipt", "Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    ("pdf", "result", "Tải văn bản kết quả giải quyết hồ sơ"),
    ("pdf", "control_slip", "Tải Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    ("pdf", f"form {FORM_ID}", "Tải văn bản của hồ sơ"),
    (
        "export",
        "register 2026-11-01..2026-11-30",
        "Trích xuất sổ theo dõi hồ sơ từ ngày 01/11/2026 đến ngày 30/11/2026",
    ),
    (
        "export",
        "register H12.01 2026-11-01..2026-11-30",
        "Trích xuất sổ theo dõi hồ sơ từ ngày 01/11/2026 đến ngày 30/11/2026",
    ),
    ("api", "inbox to_receive", "Xem danh sách hồ sơ cần xử lý qua phần mềm kết nối"),
    ("api", f"GET /api/v1/dossiers/{CODE}", "Đọc hồ sơ qua phần mềm kết nối"),
    ("api", f"POST /api/v1/dossiers/{CODE}/actions/receive", "Xử lý hồ sơ qua phần mềm kết nối"),
    ("action", "receive", "Xử lý hồ sơ: tiếp nhận"),
    ("action", "payment_confirm", "Xử lý hồ sơ: xác nhận đã thực hiện nghĩa vụ tài chính"),
    ("action", "something_new", "Xử lý hồ sơ"),
    ("admin_search", "*********345", "Tìm kiếm hồ sơ trong trang quản trị"),
    ("new_kind", "GET /internal/x", "Xem thông tin hồ sơ"),
]


@pytest.mark.parametrize(("kind", "target", "expected"), STAFF_SHAPES)
def test_a_staff_read_of_a_dossier_in_words(clerk_binh: Any, kind: str, target: str, expected: str) -> None:
    row = _staff_read(clerk_binh, kind, target)
    label = access_label(row)
    assert label == AccessLabel(
        who="Trần Văn Bình", what=expected, purpose=f"Hồ sơ {CODE}", dossier_code=CODE
    )
    _clean(label)


def test_every_kind_the_dossier_access_log_knows_has_its_words(clerk_binh: Any) -> None:
    from motcua.dossiers.models import AccessKind

    tested = {kind for kind, _target, _expected in STAFF_SHAPES}
    assert set(AccessKind.values) <= tested


def test_a_read_of_an_issued_form_names_the_form_when_known(clerk_binh: Any) -> None:
    row = _staff_read(clerk_binh, "pdf", f"form {FORM_ID}")
    assert form_public_ids([row]) == {FORM_ID}
    label = access_label(row, form_names={FORM_ID: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"})
    assert label.what == "Tải Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"


def test_a_read_of_a_draft_names_no_dossier(clerk_binh: Any) -> None:
    label = access_label(_staff_read(clerk_binh, "view", "", code=""))
    assert (label.purpose, label.dossier_code) == ("Hồ sơ chưa nộp (bản nháp)", "")


def _gateway_read(**extra: Any) -> GatewayRead:
    fields: dict[str, Any] = {
        "at": clock.now(),
        "message_id": "m-42",
        "client_id": "soyte-hn",
        "member_code": "soyte",
        "member_name": "Sở Y tế Hà Nội",
        "service_code": "csdldc-tracuu",
        "service_name": "Tra cứu thông tin công dân",
        "method": "POST",
        "path": "congdan/tracuu",
        "purpose": "Cấp Giấy chứng sinh",
        "subject_id_numbers": (AN,),
        "dossier_codes": (),
    }
    fields.update(extra)
    return GatewayRead(**fields)


def test_another_systems_read_names_the_organisation_the_service_and_its_purpose() -> None:
    GatewayReadsToAccessRecord().gateway_read_record(_gateway_read())
    label = access_label(PersonalDataAccess.objects.get())
    assert label == AccessLabel(
        who="Hệ thống Sở Y tế Hà Nội",
        what="Đọc dữ liệu: Tra cứu thông tin công dân",
        purpose="Cấp Giấy chứng sinh",
    )
    _clean(label)


def test_a_purpose_another_system_gave_as_a_path_is_not_shown() -> None:
    GatewayReadsToAccessRecord().gateway_read_record(_gateway_read(purpose="/api/v1/congdan"))
    assert access_label(PersonalDataAccess.objects.get()).purpose == "Không nêu rõ mục đích"


def test_an_officials_download_of_the_exchange_evidence(clerk_binh: Any) -> None:
    GatewayReadsToAccessRecord().evidence_read_record(
        _gateway_read(), user=clerk_binh, reader="binh (Trần Văn Bình)"
    )
    label = access_label(PersonalDataAccess.objects.get())
    assert label == AccessLabel(
        who="Trần Văn Bình",
        what="Tải bằng chứng trao đổi dữ liệu «Tra cứu thông tin công dân» qua nền tảng tích hợp",
        purpose="Kiểm tra nhật ký trao đổi dữ liệu, xuất bằng chứng",
    )
    _clean(label)


def test_a_national_database_look_up_by_an_official_for_a_dossier(clerk_binh: Any) -> None:
    national_access_record(
        subject_id_number=AN,
        system="CSDLQG dân cư",
        data="tra cứu thông tin công dân",
        purpose=f"HS:{CODE}",
        user=clerk_binh,
    )
    label = access_label(PersonalDataAccess.objects.get())
    assert label == AccessLabel(
        who="Trần Văn Bình",
        what="Tra cứu thông tin công dân trong Cơ sở dữ liệu quốc gia về dân cư",
        purpose=f"Hồ sơ {CODE}",
        dossier_code=CODE,
    )
    _clean(label)


def test_the_citizens_own_prefill_says_you(citizen_an: Any) -> None:
    national_access_record(
        subject_id_number=AN,
        system="CSDLQG dân cư",
        data="tra cứu thông tin công dân",
        purpose=PREFILL_PURPOSE,
        user=citizen_an,
    )
    row = PersonalDataAccess.objects.get()
    label = access_label(row, viewer_id=citizen_an.pk)
    assert label == AccessLabel(
        who="Bạn",
        what="Điền sẵn tờ khai nộp hồ sơ trực tuyến từ Cơ sở dữ liệu quốc gia về dân cư",
        purpose="Điền sẵn thông tin khi nộp hồ sơ trực tuyến",
    )
    # Someone else looking (an auditor's tool) does not read "you".
    assert access_label(row).who == "Nguyễn Văn An"


def test_an_automatic_business_look_up() -> None:
    national_access_record(
        subject_id_number="0101234567",
        system="CSDLQG đăng ký doanh nghiệp",
        data="tra cứu doanh nghiệp",
        purpose=f"HS:{CODE}",
        user=None,
    )
    label = access_label(PersonalDataAccess.objects.get())
    assert label.who == "Hệ thống một cửa (tự động)"
    assert label.what == "Tra cứu thông tin doanh nghiệp trong Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"


@pytest.mark.parametrize(
    ("kind", "accessor", "data", "purpose", "expected"),
    [
        (
            AccessorKind.STAFF,
            "GET /api/v1/x",
            "GET /api/v1/x",
            "/api/v1/x",
            AccessLabel("Cán bộ, công chức", "Xem thông tin hồ sơ", "Không nêu rõ mục đích"),
        ),
        (
            AccessorKind.SYSTEM,
            "soyte-hn",
            "POST /congdan/tracuu",
            "",
            AccessLabel("Hệ thống khác", "Đọc dữ liệu cá nhân của bạn", "Không nêu mục đích"),
        ),
        (
            AccessorKind.NATIONAL_DB,
            "https://csdl.example/api — system",
            "GET /x",
            "HS:a b/c",
            AccessLabel("Hệ thống một cửa (tự động)", "Tra cứu cơ sở dữ liệu quốc gia", "Giải quyết hồ sơ"),
        ),
        (
            "unknown",
            "x",
            "y",
            "HS:(bản nháp)",
            AccessLabel("Không xác định", "Xử lý dữ liệu cá nhân của bạn", "Hồ sơ chưa nộp (bản nháp)"),
        ),
    ],
)
def test_shapes_nobody_writes_get_a_neutral_label(
    kind: str, accessor: str, data: str, purpose: str, expected: AccessLabel
) -> None:
    row = PersonalDataAccess(
        subject_id_number=AN,
        at=clock.now(),
        accessor_kind=kind,
        accessor=accessor,
        data=data,
        purpose=purpose,
    )
    assert access_label(row) == expected


def test_labels_are_translated_at_display_time(clerk_binh: Any) -> None:
    row = _staff_read(clerk_binh, "pdf", "receipt")
    with translation.override("en"):
        label = access_label(row)
    assert label.what == "Downloaded the dossier receipt and appointment slip"
    assert label.purpose == f"Dossier {CODE}"


def test_an_export_date_that_is_not_a_date_stays_words(clerk_binh: Any) -> None:
    # The register's dates are ISO dates; anything else is left to the neutral export label.
    row = _staff_read(clerk_binh, "export", "register 2026-13-45..x")
    assert access_label(row).what == "Trích xuất danh sách hồ sơ"
