"""The privacy notice (Law 91/2025/QH15, Decree 356/2025/NĐ-CP; issue 12.10, legal review §C items 1–2):
on the portal in both languages, printable for the counter, linked from the footer, the submission form and
the registration page; its law-dependent facts come from portal/data/privacy_notice.json."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.accounts.models import User
from motcua.agencies.demo import load_demo_agencies
from motcua.agencies.models import Agency
from motcua.catalog.demo import load_demo_catalogue
from motcua.portal import selectors

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
URL = "/chinh-sach-bao-ve-du-lieu-ca-nhan/"
PRINT_URL = URL + "ban-in/"


@pytest.fixture(autouse=True)
def demo() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        load_demo_agencies()
        yield


def text(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def english() -> Client:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_the_notice_names_the_controller_and_the_contact_from_the_agency_data() -> None:
    page = text(URL)
    centre = Agency.objects.get(code="000.00.09.H99")
    assert "Bên kiểm soát và xử lý dữ liệu cá nhân là Ủy ban nhân dân tỉnh Minh Sơn" in page
    for detail in (centre.name, centre.address, centre.phone, centre.email):
        assert detail in page
    Agency.objects.filter(code="000.00.00.H99").update(name="Ủy ban nhân dân tỉnh Sơn Minh Mới")
    assert "Bên kiểm soát và xử lý dữ liệu cá nhân là Ủy ban nhân dân tỉnh Sơn Minh Mới" in text(URL)


def test_the_notice_says_why_on_what_basis_what_to_whom_and_for_how_long() -> None:
    page = text(URL)
    for expected in (
        "đồng bộ trạng thái hồ sơ với Cổng Dịch vụ công quốc gia",
        "khoản 1 Điều 19 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15",
        "không cần sự đồng ý của bạn",
        "Dữ liệu nhận dạng:",
        "Dữ liệu liên hệ:",
        "Giấy tờ trong hồ sơ",
        "Dữ liệu cá nhân nhạy cảm: ảnh chụp, bản quét thẻ căn cước",
        "(Điều 4 Nghị định số 356/2025/NĐ-CP)",
        "tổ chức thanh toán, chỉ khi bạn chọn",
        "bưu chính công ích, chỉ khi bạn chọn",
        "khoản 3 Điều 3 Luật",
        "xóa hoặc khử nhận dạng",
    ):
        assert expected in page, expected


def test_the_rights_come_with_the_time_limits_of_decree_356() -> None:
    page = text(URL)
    assert "Xác nhận đã nhận yêu cầu 2 ngày làm việc" in page
    assert "Xem, chỉnh sửa dữ liệu 10 ngày theo lịch" in page
    assert "Rút lại sự đồng ý, phản đối xử lý 15 ngày theo lịch" in page
    assert "Xóa dữ liệu 20 ngày theo lịch (được gia hạn 1 lần)" in page
    assert "Điều 14" in page  # deletion may be refused for processing under article 19


def test_optional_uses_need_explicit_consent_never_a_pre_ticked_box() -> None:
    page = text(URL)
    assert "SMS hoặc Zalo" in page
    assert "khảo sát" in page
    assert "đồng ý rõ ràng" in page
    assert "không bao giờ được đánh dấu sẵn" in page
    assert "im lặng không phải là đồng ý" in page


def test_time_limits_and_legal_bases_are_data_with_dates_and_sources(
    tmp_path: Path, monkeypatch: Any
) -> None:
    data = json.loads(selectors.PRIVACY_NOTICE_FILE.read_text(encoding="utf-8"))
    edition = data["editions"][0]
    assert edition["effective_from"] == "2026-01-01"
    assert {s["number"] for s in edition["sources"].values()} == {"91/2025/QH15", "356/2025/NĐ-CP"}
    # A later edition (an amendment) takes over on its date, with no template change.
    later = json.loads(json.dumps(edition))
    later["effective_from"] = "2027-01-01"
    later["request_time_limits"][1]["limit"] = 7
    data["editions"].append(later)
    amended = tmp_path / "privacy_notice.json"
    amended.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(selectors, "PRIVACY_NOTICE_FILE", amended)
    assert "Xem, chỉnh sửa dữ liệu 10 ngày theo lịch" in text(URL)
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=TODAY.tzinfo), tick=False):
        page = text(URL)
    assert "Xem, chỉnh sửa dữ liệu 7 ngày theo lịch" in page
    assert "Áp dụng từ ngày 01/01/2027." in page


def test_the_english_notice_is_all_english() -> None:
    page = text(URL, english())
    for expected in (
        "Personal data protection policy",
        "Article 19(1) of the Law on Personal Data Protection No. 91/2025/QH15",
        "your consent is not needed",
        "Acknowledging your request 2 working days",
        "Seeing or correcting data 10 calendar days",
        "Deleting data 20 calendar days (may be extended 1 time)",
        "never ticked in advance",
        "In force from 01/01/2026.",
        "Monday – Friday",
    ):
        assert expected in page, expected
    body = page[page.index("Personal data protection policy") : page.index("Legal texts")]
    for vietnamese in ("Bên kiểm soát", "Quyền của bạn", "ngày làm việc", "Điều ", "Địa chỉ", "Thứ Hai"):
        assert vietnamese not in body, vietnamese


def test_the_printable_notice_for_the_counter_has_no_navigation() -> None:
    response = Client().get(PRINT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "print-notice.css" in html
    assert '<nav class="main-nav"' not in html
    assert "<script" not in html
    assert " style=" not in html
    page = text(PRINT_URL)
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH MINH SƠN" in page
    assert "Xóa dữ liệu 20 ngày theo lịch" in page
    assert "Personal data protection policy" in text(PRINT_URL, english())


def test_the_notice_is_linked_from_the_footer_the_registration_page_and_the_submission_form() -> None:
    load_demo_catalogue()
    link = f'href="{URL}"'
    assert link in Client().get("/").content.decode()
    assert link in Client().get("/accounts/register/").content.decode()
    citizen = User.objects.create_user(username="an", password="x", kind="citizen", full_name="Nguyễn Văn An")
    client = Client()
    client.force_login(citizen)
    form = client.get("/ho-so/nop/1.001193.000.00.00.H99/")
    assert form.status_code == 200
    assert link in form.content.decode()
    assert f'href="{PRINT_URL}"' in Client().get(URL).content.decode()
