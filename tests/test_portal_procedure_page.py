"""The procedure page as a new user met it (walk.md steps 2, 12, 13; issue 9.9), through HTTP on demo data:
one language at a time, calendar days said in full, a free procedure said once, forms with their source,
one address for the centre, and "Tiếp nhận tại quầy" only for the clerks who can use it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from motcua.accounts.demo import load_demo_users
from motcua.accounts.models import User
from motcua.agencies.demo import load_demo_agencies
from motcua.agencies.models import Agency
from motcua.catalog.demo import load_demo_catalogue

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
BULLETIN = "1.009374.000.00.00.H99"  # 15 days, free, "Mẫu số 17", received at the provincial centre
BIRTH = "1.001193.000.00.00.H99"  # commune level, received at the two commune centres
JUDICIAL_RECORD = "1.001197.000.00.00.H99"


@pytest.fixture(autouse=True)
def demo() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        load_demo_agencies()
        load_demo_catalogue()
        load_demo_users()
        yield


def page(url: str, client: Client | None = None) -> str:
    response = (client or Client()).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def english(client: Client | None = None) -> Client:
    client = client or Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_vietnamese_page_has_no_english_subtitle() -> None:
    html = page(f"/thu-tuc/{BULLETIN}/")
    assert "<h1>Cấp giấy phép xuất bản bản tin (địa phương)</h1>" in html
    assert "Licence to publish a bulletin" not in html
    assert 'class="subtitle"' not in html


def test_the_english_page_shows_the_english_name_with_the_vietnamese_one_under_it() -> None:
    html = page(f"/thu-tuc/{BULLETIN}/", english())
    assert "<h1>Licence to publish a bulletin</h1>" in html
    assert '<p class="subtitle" lang="vi">Cấp giấy phép xuất bản bản tin (địa phương)</p>' in html


def test_a_limit_in_days_says_that_they_are_calendar_days() -> None:
    html = page(f"/thu-tuc/{BULLETIN}/")
    assert "<strong>15 ngày theo lịch</strong>" in html
    assert not re.search(r"15 ngày(?! theo lịch)", text_of(html))
    assert "15 calendar days" in page(f"/thu-tuc/{BULLETIN}/", english())


def test_a_free_procedure_says_so_once_in_each_language() -> None:
    vi = text_of(page(f"/thu-tuc/{BULLETIN}/"))
    assert "Không thu phí" not in vi
    assert vi.count("Không mất phí") == 2  # the summary and the fee section, once each
    en = text_of(page(f"/thu-tuc/{BULLETIN}/", english()))
    assert "Không thu phí" not in en
    assert "Không mất phí" not in en
    assert en.count("Free of charge") == 2


def test_a_free_fee_with_an_exemption_keeps_its_details() -> None:
    html = text_of(page(f"/thu-tuc/{BIRTH}/"))
    assert "Phí, lệ phí Không mất phí (chi tiết)" in html
    assert "Miễn lệ phí nếu đăng ký đúng hạn" in html


def test_a_form_shows_the_legal_text_that_issued_it_or_says_it_is_not_published() -> None:
    birth = text_of(page(f"/thu-tuc/{BIRTH}/"))
    assert "Mẫu tờ khai theo Thông tư 04/2024/TT-BTP" in birth
    assert "Chưa công bố văn bản ban hành mẫu này" not in birth
    bulletin = text_of(page(f"/thu-tuc/{BULLETIN}/"))
    assert "Mẫu số 17 Chưa công bố văn bản ban hành mẫu này." in bulletin
    assert "Mẫu số 17 The legal text issuing this form has not been published." in text_of(
        page(f"/thu-tuc/{BULLETIN}/", english())
    )


def test_the_footer_and_the_receiving_centre_give_the_same_address_from_the_agency_data() -> None:
    centre = Agency.objects.get(code="000.00.09.H99")
    html = page(f"/thu-tuc/{BULLETIN}/")
    assert html.count(centre.address) == 2  # "Nơi tiếp nhận hồ sơ" and the footer
    assert "Số 1 đường Trung tâm" not in html
    footer = html[html.index('<footer class="site-footer">') :]
    assert centre.phone in footer
    assert centre.email in footer
    # The centre also opens on Saturday mornings: the hours come from its office-hours rows.
    assert "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00" in footer
    assert "Thứ Bảy: 07:30–11:30" in footer
    centre.address = "Số 9 đường Mới, phường Minh Khai, tỉnh Minh Sơn"
    centre.save(update_fields=["address"])
    assert page(f"/thu-tuc/{BULLETIN}/").count("Số 9 đường Mới") == 2


def test_the_english_footer_has_no_vietnamese_system_strings() -> None:
    html = page(f"/thu-tuc/{BULLETIN}/", english())
    footer = text_of(html[html.index('<footer class="site-footer">') :])
    assert "Monday – Friday: 07:30–11:30, 13:30–17:00" in footer
    assert "Saturday: 07:30–11:30" in footer
    for vietnamese in ("Địa chỉ", "Đường dây nóng", "Giờ tiếp nhận", "Thứ", "Chính sách", "Cơ quan chủ quản"):
        assert vietnamese not in footer, vietnamese
    assert "Personal data protection policy" in footer


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("binh", {BULLETIN}),  # clerk at the provincial centre
        ("tiepnhan.minhkhai", {BIRTH}),  # clerk at the Minh Khai ward centre
        ("dung", set()),  # leader: never
        ("chi", set()),
        ("em", set()),
        ("admin", set()),  # administrator of the province, not a clerk
        ("an", set()),
    ],
)
def test_counter_intake_is_offered_only_to_clerks_of_a_receiving_agency(
    username: str, shown: set[str]
) -> None:
    client = as_user(username)
    for code in (BULLETIN, BIRTH):
        html = page(f"/thu-tuc/{code}/", client)
        offered = f'href="/mot-cua/tiep-nhan/{code}/"' in html
        assert offered == (code in shown), (username, code)
        if offered:
            assert client.get(f"/mot-cua/tiep-nhan/{code}/").status_code == 200


def test_anonymous_visitors_are_not_offered_counter_intake() -> None:
    assert "/mot-cua/tiep-nhan/" not in page(f"/thu-tuc/{BULLETIN}/")
