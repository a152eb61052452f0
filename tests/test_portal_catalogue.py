"""The citizen-facing catalogue pages, through HTTP: browse, search, detail, 404, language, safety headers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client

from motcua.agencies.models import Agency
from motcua.catalog.models import (
    AdministrativeLevel,
    Channel,
    CopyKind,
    Fee,
    FeeKind,
    LegalBasis,
    OnlineLevel,
    ProcedureVersion,
    TimeUnit,
    VersionStatus,
)
from motcua.catalog.search import version_search_text
from motcua.portal.presentation import duration, money, process_total
from motcua.testing.factories import (
    ComponentFactory,
    FieldFactory,
    ProcedureFactory,
    ProcedureVersionFactory,
    ProcessStepFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
BIRTH = "1.001193.000.00.00.H99"
PRESS = "1.004873.000.00.00.H99"


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def make_version(**kwargs: Any) -> ProcedureVersion:
    """A version through the factory, with the folded search text the catalogue service would write."""
    version: ProcedureVersion = ProcedureVersionFactory(**kwargs)
    version.search_text = version_search_text(version)
    version.save(update_fields=["search_text"])
    return version


@pytest.fixture
def catalogue(
    commune: Agency, culture_department: Agency, service_centre: Agency
) -> dict[str, ProcedureVersion]:
    civil = FieldFactory(code="G01-HT", name="Hộ tịch", sector="Tư pháp")
    press = FieldFactory(code="G15-VH07", name="Xuất bản, in và phát hành", sector="Văn hóa")
    birth = make_version(
        procedure=ProcedureFactory(national_code="1.001193", local_code=BIRTH),
        name="Đăng ký khai sinh",
        field=civil,
        level=AdministrativeLevel.COMMUNE,
        competent_agency=commune,
        time_limit_value=Decimal(0),
        time_limit_unit=TimeUnit.SAME_DAY,
        same_day_cutoff=dt.time(15, 0),
        result_name="Giấy khai sinh",
        online_level=OnlineLevel.FULL,
    )
    birth.receiving_agencies.add(commune)
    ComponentFactory(version=birth, name="Tờ khai đăng ký khai sinh", template_name="Mẫu TK-KS")
    ComponentFactory(version=birth, name="Giấy chứng sinh", copy_kind=CopyKind.ORIGINAL)
    LegalBasis.objects.create(version=birth, number="60/2014/QH13", title="Luật Hộ tịch")
    ProcessStepFactory(
        version=birth,
        order=1,
        name="Tiếp nhận và trả kết quả",
        budget_value=Decimal(4),
        budget_unit="hours",
        agency=commune,
    )

    permit = make_version(
        procedure=ProcedureFactory(national_code="1.004873", local_code=PRESS),
        name="Cấp giấy phép xuất bản bản tin (địa phương)",
        name_en="Licence to publish a local newsletter",
        field=press,
        level=AdministrativeLevel.PROVINCE,
        competent_agency=culture_department,
        time_limit_value=Decimal(10),
        time_limit_unit=TimeUnit.WORKING_DAYS,
        online_level=OnlineLevel.PARTIAL,
        channels=[Channel.COUNTER, Channel.ONLINE, Channel.POST],
        publication_decision="Quyết định 123/QĐ-UBND ngày 01/07/2025",
    )
    service_centre.address = "Số 2 đường Hùng Vương, phường Minh Khai, tỉnh Minh Sơn"
    service_centre.phone = "0208 3 800 800"
    service_centre.save(update_fields=["address", "phone"])
    permit.receiving_agencies.add(service_centre)
    ComponentFactory(version=permit, name="Đơn đề nghị cấp giấy phép xuất bản bản tin", copies=1)
    Fee.objects.create(
        version=permit,
        name="Lệ phí cấp giấy phép",
        kind=FeeKind.CHARGE,
        amount=Decimal(200000),
        channel=Channel.COUNTER,
        exemptions="Miễn cho người có công với cách mạng",
    )
    Fee.objects.create(
        version=permit,
        name="Lệ phí cấp giấy phép",
        kind=FeeKind.CHARGE,
        amount=Decimal(100000),
        channel=Channel.ONLINE,
    )
    LegalBasis.objects.create(
        version=permit, number="19/2012/QH13", title="Luật Xuất bản", issued_on=dt.date(2012, 11, 20)
    )
    ProcessStepFactory(
        version=permit, order=1, name="Tiếp nhận hồ sơ", budget_value=Decimal("0.5"), agency=service_centre
    )
    ProcessStepFactory(version=permit, order=2, name="Thẩm định", budget_value=Decimal(7), parallel_group="A")
    ProcessStepFactory(
        version=permit, order=3, name="Lấy ý kiến", budget_value=Decimal(5), parallel_group="A"
    )
    ProcessStepFactory(version=permit, order=4, name="Phê duyệt, ký", budget_value=Decimal("2.5"))
    offline = make_version(
        name="Cấp giấy phép hoạt động in",
        field=press,
        competent_agency=culture_department,
        online_level=OnlineLevel.NONE,
        channels=[Channel.COUNTER],
    )
    return {"birth": birth, "permit": permit, "offline": offline}


def get(url: str, client: Client | None = None, **params: str) -> str:
    response = (client or Client()).get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_browse_by_field_lists_only_that_field(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get("/thu-tuc/", field="G15-VH07")
    assert "Cấp giấy phép xuất bản bản tin (địa phương)" in page
    assert "Cấp giấy phép hoạt động in" in page
    assert "Đăng ký khai sinh" not in page
    assert "Có 2 thủ tục" in page


def test_browse_by_level(catalogue: dict[str, ProcedureVersion]) -> None:
    commune = get("/thu-tuc/", level="commune")
    assert "Đăng ký khai sinh" in commune
    assert "Cấp giấy phép xuất bản bản tin" not in commune
    province = get("/thu-tuc/", level="province")
    assert "Cấp giấy phép xuất bản bản tin" in province
    assert "Đăng ký khai sinh" not in province


def test_browse_by_online_level(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get("/thu-tuc/", online="none")
    assert "Cấp giấy phép hoạt động in" in page
    assert "Đăng ký khai sinh" not in page


def test_unknown_filter_values_are_ignored_not_errors(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get("/thu-tuc/", level="galaxy", online="<script>", field="NOPE", page="abc")
    assert "Có 3 thủ tục" in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "1.001193"]
)
def test_search_with_or_without_diacritics_finds_birth_registration(
    catalogue: dict[str, ProcedureVersion], query: str
) -> None:
    page = get("/thu-tuc/", q=query)
    assert "Đăng ký khai sinh" in page
    assert "Cấp giấy phép xuất bản bản tin" not in page
    assert "Tìm thấy 1 thủ tục" in page


def test_search_combines_with_filters(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get("/thu-tuc/", q="giay phep", level="province", online="partial")
    assert "Cấp giấy phép xuất bản bản tin" in page
    assert "Cấp giấy phép hoạt động in" not in page


def test_an_empty_result_helps_the_citizen(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get("/thu-tuc/", q="khai sinh", level="province")
    assert "Không tìm thấy thủ tục phù hợp." in page
    assert "Tìm thấy 0 thủ tục" in page
    assert 'href="/thu-tuc/?q=khai%20sinh"' in page  # search again without filters
    assert "0208 3 800 800" in page


def test_long_lists_are_paginated(culture_department: Agency) -> None:
    field = FieldFactory(code="G99", name="Lĩnh vực dài")
    for i in range(25):
        make_version(name=f"Thủ tục số {i:02d}", field=field, competent_agency=culture_department)
    first = get("/thu-tuc/", field="G99")
    assert "Có 25 thủ tục" in first
    assert "Thủ tục số 19" in first
    assert "Thủ tục số 20" not in first
    assert 'href="?field=G99&amp;page=2"' in first
    second = get("/thu-tuc/", field="G99", page="2")
    assert "Thủ tục số 20" in second
    assert "Thủ tục số 24" in second
    assert "Thủ tục số 00" not in second
    assert '<ol class="proc-list" start="21">' in second


def test_detail_shows_what_a_citizen_needs_before_applying(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get(f"/thu-tuc/{PRESS}/")
    for expected in (
        "<h1>Cấp giấy phép xuất bản bản tin (địa phương)</h1>",
        "1.004873",
        PRESS,
        "Xuất bản, in và phát hành",
        "Cấp tỉnh",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn",  # where to submit
        "Trực tiếp, Trực tuyến, Qua bưu chính công ích",
        "Một phần",
        "10 ngày làm việc",
        "200.000 đồng",
        "100.000 đồng",
        "Miễn cho người có công với cách mạng",
        "Đơn đề nghị cấp giấy phép xuất bản bản tin",
        "1 bản chính, 1 bản sao",
        "19/2012/QH13",
        "Luật Xuất bản",
        "20/11/2012",
        "Phiên bản 1, hiệu lực từ ngày 01/07/2025",
        "Quyết định 123/QĐ-UBND",
        "Thẩm định",
        "song song",
        # 0.5 + max(7, 5) + 2.5 working days: parallel steps count once.
        "10 ngày làm việc</strong>",
    ):
        assert expected in page, expected


def test_same_day_limit_and_free_procedure_in_words(catalogue: dict[str, ProcedureVersion]) -> None:
    page = get(f"/thu-tuc/{BIRTH}/")
    assert "Trong ngày; nếu nhận sau 15:00 thì trả trong ngày làm việc tiếp theo" in page
    assert "Không mất phí" in page
    assert "Tờ khai đăng ký khai sinh" in page
    assert "Mẫu TK-KS" in page
    assert "60/2014/QH13" in page
    assert "4 giờ làm việc" in page


def test_online_submission_is_offered_only_when_the_procedure_is_online(
    catalogue: dict[str, ProcedureVersion],
) -> None:
    online = get(f"/thu-tuc/{BIRTH}/")
    assert f'href="/ho-so/nop/{BIRTH}/"' in online
    assert "Nộp hồ sơ trực tuyến" in online
    offline_code = catalogue["offline"].procedure.local_code
    offline = get(f"/thu-tuc/{offline_code}/")
    assert "Nộp hồ sơ trực tuyến" not in offline
    assert "chưa nộp được trực tuyến" in offline


def test_unknown_code_is_a_friendly_bilingual_404(catalogue: dict[str, ProcedureVersion]) -> None:
    response = Client().get("/thu-tuc/9.999999.000.00.00.H99/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert "Page not found" in html
    assert 'action="/thu-tuc/"' in html


def test_drafts_expired_and_future_versions_are_not_shown(culture_department: Agency) -> None:
    draft = make_version(
        name="Thủ tục dự thảo", status=VersionStatus.DRAFT, competent_agency=culture_department
    )
    expired = make_version(
        name="Thủ tục đã hết hiệu lực",
        effective_from=dt.date(2024, 1, 1),
        effective_to=dt.date(2026, 3, 1),
        competent_agency=culture_department,
    )
    future = make_version(
        name="Thủ tục sắp có hiệu lực",
        effective_from=dt.date(2026, 4, 1),
        competent_agency=culture_department,
    )
    listing = get("/thu-tuc/")
    for version in (draft, expired, future):
        assert version.name not in listing
        assert Client().get(f"/thu-tuc/{version.procedure.local_code}/").status_code == 404
    assert "Thủ tục dự thảo" not in get("/")


def test_the_version_in_force_replaces_the_old_one(culture_department: Agency) -> None:
    procedure = ProcedureFactory()
    make_version(
        procedure=procedure,
        number=1,
        name="Tên cũ",
        effective_from=dt.date(2024, 1, 1),
        effective_to=dt.date(2025, 12, 31),
        competent_agency=culture_department,
    )
    make_version(
        procedure=procedure,
        number=2,
        name="Tên mới",
        effective_from=dt.date(2026, 1, 1),
        competent_agency=culture_department,
    )
    page = get(f"/thu-tuc/{procedure.local_code}/")
    assert "Tên mới" in page
    assert "Tên cũ" not in page
    assert "Phiên bản 2, hiệu lực từ ngày 01/01/2026" in page
    assert "Tên cũ" not in get("/thu-tuc/")


def test_home_shows_search_fields_with_counts_levels_and_popular(
    catalogue: dict[str, ProcedureVersion],
) -> None:
    page = get("/")
    assert 'role="search"' in page
    assert (
        'href="/thu-tuc/?field=G15-VH07">Xuất bản, in và phát hành</a> <span class="count">2 thủ tục' in page
    )
    assert 'href="/thu-tuc/?level=commune"' in page
    assert "Thủ tục được quan tâm" in page
    # Full online service comes first while nobody has applied yet.
    assert page.index("Đăng ký khai sinh") < page.index("Cấp giấy phép hoạt động in")


def test_english_switch_translates_the_interface(catalogue: dict[str, ProcedureVersion]) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302
    page = get("/thu-tuc/", client)
    assert '<html lang="en">' in page
    assert "<h1>Administrative procedures</h1>" in page
    detail = get(f"/thu-tuc/{PRESS}/", client)
    assert "<h1>Licence to publish a local newsletter</h1>" in detail
    assert '<p class="subtitle" lang="vi">Cấp giấy phép xuất bản bản tin (địa phương)</p>' in detail
    assert "10 working days" in detail
    assert "VND 200,000" in detail
    not_found = client.get("/thu-tuc/nope/").content.decode()
    assert "Page not found" in not_found
    client.post("/i18n/setlang/", {"language": "vi", "next": "/thu-tuc/"})
    assert "<h1>Thủ tục hành chính</h1>" in get("/thu-tuc/", client)


def test_base_template_serves_keyboard_and_screen_reader_users(
    catalogue: dict[str, ProcedureVersion],
) -> None:
    page = get("/thu-tuc/")
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<html lang="vi">' in page
    assert 'aria-current="page">Thủ tục hành chính</a>' in page
    assert 'href="/accounts/login/"' in page
    assert '<label for="q">' in page
    assert 'action="/i18n/setlang/"' in page
    assert "csrfmiddlewaretoken" in page


def test_signed_in_user_sees_name_and_a_logout_form(
    catalogue: dict[str, ProcedureVersion], citizen_an: Any
) -> None:
    client = Client()
    client.force_login(citizen_an)
    page = get("/", client)
    assert "Nguyễn Văn An" in page
    assert re.search(r'<form class="logout-form" action="/accounts/logout/" method="post">', page)
    assert 'href="/accounts/login/"' not in page


def test_pages_reference_no_outside_hosts_and_send_a_csp(catalogue: dict[str, ProcedureVersion]) -> None:
    for url in (
        "/",
        "/thu-tuc/",
        "/thu-tuc/?q=khai+sinh",
        f"/thu-tuc/{PRESS}/",
        f"/thu-tuc/{BIRTH}/",
        "/thu-tuc/x/",
    ):
        response = Client().get(url)
        html = response.content.decode()
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", html), url
        assert " style=" not in html, url
        assert "<script>" not in html, url
        assert "<style" not in html, url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp, url
        assert "script-src 'self'" in csp, url


def test_server_error_page_needs_no_context_and_is_bilingual() -> None:
    html = render_to_string("500.html")
    assert "Hệ thống đang gặp sự cố" in html
    assert "Something went wrong" in html
    assert "/static/portal/css/site.css" in html


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal(5), "working_days", "5 ngày làm việc"),
        (Decimal("0.5"), "working_days", "0,5 ngày làm việc"),
        (Decimal(4), "hours", "4 giờ làm việc"),
        (Decimal(30), "days", "30 ngày theo lịch"),
        (Decimal(3), "months", "3 tháng"),
    ],
)
def test_durations_read_as_words(value: Decimal, unit: str, expected: str) -> None:
    assert duration(value, unit) == expected


def test_money_reads_as_dong_and_zero_is_free() -> None:
    assert money(Decimal(1500000)) == "1.500.000 đồng"
    assert money(Decimal(0)) == "Không mất phí"


def test_process_total_counts_a_parallel_group_once_and_keeps_units_apart(culture_department: Agency) -> None:
    version = make_version(competent_agency=culture_department)
    steps = [
        ProcessStepFactory(version=version, order=1, budget_value=Decimal(4), budget_unit="hours"),
        ProcessStepFactory(version=version, order=2, budget_value=Decimal(3), parallel_group="x"),
        ProcessStepFactory(version=version, order=3, budget_value=Decimal(2), parallel_group="x"),
        ProcessStepFactory(version=version, order=4, budget_value=Decimal(1)),
    ]
    assert process_total(steps) == "4 ngày làm việc + 4 giờ làm việc"
