"""The citizen-facing catalogue pages, through HTTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.models import ProcedureVersion, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> None:
    load_demo_agencies()
    load_demo_catalogue()


def test_search_without_diacritics_finds_birth_registration(catalogue: None) -> None:
    page = Client().get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in page
    assert "Giấy phép xây dựng" not in page


def test_browse_by_level_and_field(catalogue: None) -> None:
    commune = Client().get("/thu-tuc/", {"level": "commune"}).content.decode()
    assert "Đăng ký khai sinh" in commune
    assert "Cấp giấy phép xuất bản bản tin" not in commune
    press = Client().get("/thu-tuc/", {"field": "G15-VH07"}).content.decode()
    assert "Cấp giấy phép xuất bản bản tin (địa phương)" in press
    assert "Đăng ký khai sinh" not in press


def test_detail_shows_what_a_citizen_needs(catalogue: None) -> None:
    page = Client().get("/thu-tuc/1.001193.000.00.00.H99/").content.decode()
    for expected in (
        "Trong ngày; nếu tiếp nhận sau 15:00",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "60/2014/QH13",
        "Không mất phí",
        "Quy trình nội bộ",
        "Nộp hồ sơ trực tuyến",
    ):
        assert expected in page


def test_fees_are_shown_in_dong(catalogue: None) -> None:
    page = Client().get("/thu-tuc/3.000333.000.00.00.H99/").content.decode()
    assert "200.000 đồng" in page


def test_unknown_code_is_a_friendly_404(catalogue: None) -> None:
    response = Client().get("/thu-tuc/9.999999.000.00.00.H99/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_drafts_and_expired_versions_are_not_shown(catalogue: None) -> None:
    version = ProcedureVersion.objects.get(procedure__local_code="1.004873.000.00.00.H99")
    version.status = VersionStatus.DRAFT
    version.save()
    assert Client().get("/thu-tuc/1.004873.000.00.00.H99/").status_code == 404
    old = ProcedureVersion.objects.get(procedure__local_code="1.013225.000.00.00.H99", number=1)
    assert old.effective_to == dt.date(2025, 6, 30)
    page = Client().get("/thu-tuc/1.013225.000.00.00.H99/").content.decode()
    assert "Phiên bản 2" in page


def test_english_is_available(catalogue: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    page = client.get("/thu-tuc/").content.decode()
    assert "Administrative procedures" in page


def test_pages_reference_no_outside_hosts_and_send_a_csp(catalogue: None) -> None:
    for url in ("/", "/thu-tuc/", "/thu-tuc/1.001193.000.00.00.H99/", "/tra-cuu/", "/accounts/login/"):
        response = Client().get(url)
        html = response.content.decode()
        assert not re.search(r'(src|href)="https?://', html), url
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
