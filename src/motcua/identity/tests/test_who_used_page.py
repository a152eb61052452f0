"""The "who used my data" page: 25 rows a page, newest first, filtered by who and by month, a bad page
number shows a page (never an error), each row in words with the citizen's own dossier linked, and another
citizen's record never shown — on any page, under any filter, nor in the export."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from motcua.core.clock import VIETNAM_TZ
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import pdf
from motcua.identity.models import AccessorKind, PersonalDataAccess

pytestmark = pytest.mark.django_db

AN = "001090012345"
URL = "/du-lieu-cua-toi/"
# 30 staff reads of An's data in November 2026 (one a day, newest on the 30th), 3 system reads in
# December, and 3 reads of the other citizen, whose reader's name must never appear on An's page.
NOVEMBER = [dt.datetime(2026, 11, day, 10, 0, tzinfo=VIETNAM_TZ) for day in range(1, 31)]
DECEMBER = [dt.datetime(2026, 12, day, 23, 30, tzinfo=VIETNAM_TZ) for day in (1, 2, 3)]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(html: str) -> list[str]:
    table = re.search(r'<table class="table" id="data-accesses">(.*?)</table>', html, re.S)
    return re.findall(r"<tr data-kind=.*?</tr>", table.group(1), re.S) if table else []


@pytest.fixture
def record(citizen_an: Any, citizen_other: Any) -> None:
    rows = [
        PersonalDataAccess(
            subject_id_number=AN,
            at=at,
            accessor_kind=AccessorKind.STAFF,
            accessor=f"clerk{i} (Cán Bộ {i:02d})",
            data="Văn bản PDF của hồ sơ — receipt",
            purpose="HS:H12.01-261101-0001",
        )
        for i, at in enumerate(NOVEMBER, start=1)
    ]
    rows += [
        PersonalDataAccess(
            subject_id_number=AN,
            at=at,
            accessor_kind=AccessorKind.SYSTEM,
            accessor="Sở Y tế (soyte)",
            data="Tra cứu công dân [people] — POST /congdan/tracuu (thông điệp m-1)",
            purpose="Khám sức khỏe",
        )
        for at in DECEMBER
    ]
    rows += [
        PersonalDataAccess(
            subject_id_number=citizen_other.national_id,
            at=at,
            accessor_kind=AccessorKind.STAFF,
            accessor="spy (Người Đọc Hồ Sơ Khác)",
            data="Hồ sơ: thông tin chủ hồ sơ, thành phần hồ sơ",
            purpose="HS:OTHER-1",
        )
        for at in (NOVEMBER[-1], DECEMBER[0], DECEMBER[-1])
    ]
    PersonalDataAccess.objects.bulk_create(rows)


def test_the_record_is_paginated_25_a_page_newest_first(citizen_an: Any, record: None) -> None:
    client = _client(citizen_an)
    first = client.get(URL).content.decode()
    rows = _rows(first)
    assert len(rows) == 25
    assert "23:30:00 03/12/2026" in rows[0]  # the newest first
    assert "10:00:00 09/11/2026" in rows[-1]
    assert "Có 33 lượt xử lý" in first
    assert 'aria-label="Phân trang"' in first
    assert 'href="?page=2"' in first
    assert 'rel="next"' in first
    second = client.get(URL, {"page": 2}).content.decode()
    rows = _rows(second)
    assert len(rows) == 8
    assert "10:00:00 01/11/2026" in rows[-1]
    assert 'rel="prev"' in second
    assert 'aria-current="page">2<' in second
    for page in (first, second):
        assert "Người Đọc Hồ Sơ Khác" not in page
        assert "OTHER-1" not in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2.5", "", "1e9", "99999999999999999999"])
def test_a_bad_page_number_shows_a_page_not_an_error(citizen_an: Any, record: None, page: str) -> None:
    response = _client(citizen_an).get(URL, {"page": page})
    assert response.status_code == 200
    assert len(_rows(response.content.decode())) in (25, 8)


def test_the_filter_by_who_and_by_month(citizen_an: Any, record: None) -> None:
    client = _client(citizen_an)
    systems = client.get(URL, {"who": "system"}).content.decode()
    assert len(_rows(systems)) == 3
    assert all('data-kind="system"' in row for row in _rows(systems))
    assert "Có 3 lượt xử lý" in systems
    assert '<option value="system" selected>' in systems
    november = client.get(URL, {"month": "2026-11"}).content.decode()
    assert "Có 30 lượt xử lý" in november
    assert '<option value="2026-11" selected>11/2026</option>' in november
    assert '<option value="2026-12">12/2026</option>' in november
    # The filter stays on the page links.
    assert 'href="?month=2026-11&amp;page=2"' in november
    page2 = client.get(URL, {"month": "2026-11", "page": 2}).content.decode()
    assert len(_rows(page2)) == 5
    assert "Có 0 lượt xử lý" in client.get(URL, {"who": "staff", "month": "2026-12"}).content.decode()
    assert "Không có lượt xử lý nào khớp bộ lọc." in client.get(URL, {"who": "self"}).content.decode()
    # A filter that is not one is ignored: the whole record.
    for params in ({"who": "hacker"}, {"month": "2026-13"}, {"month": "'; drop table"}):
        assert "Có 33 lượt xử lý" in client.get(URL, params).content.decode()
    for who in ("", "staff", "system", "national_db", "self"):
        for page in (1, 2):
            html = client.get(URL, {"who": who, "page": page}).content.decode()
            assert "Người Đọc Hồ Sơ Khác" not in html


def test_the_month_is_local_time(citizen_an: Any, record: None) -> None:
    # 23:30 on 1 December in Hà Nội is 16:30 UTC: December, not November.
    PersonalDataAccess.objects.filter(at__gte=DECEMBER[0]).delete()
    PersonalDataAccess.objects.create(
        subject_id_number=AN,
        at=dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC),  # 00:30 on 1 December, local
        accessor_kind=AccessorKind.SYSTEM,
        accessor="Sở Y tế (soyte)",
        data="Tra cứu công dân [people] — GET /x (thông điệp m-2)",
        purpose="Khám sức khỏe",
    )
    html = _client(citizen_an).get(URL, {"month": "2026-12"}).content.decode()
    assert "Có 1 lượt xử lý" in html


def test_rows_read_in_words_and_the_citizens_own_dossier_is_linked(
    citizen_an: Any, bulletin_version: Any, frozen: Any
) -> None:
    components = list(bulletin_version.components.order_by("order"))
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": AN, "phone": "0912345678"},
    }
    files = {f"component_{c.pk}": pdf(f"tp{c.pk}.pdf") for c in components if c.required}
    client = _client(citizen_an)
    response = client.post("/api/v1/dossiers", {"data": json.dumps(payload), **files})
    assert response.status_code == 201, response.content
    code = Dossier.objects.get(code=response.json()["code"]).code
    now = dt.datetime(2025, 3, 3, 9, 0, tzinfo=VIETNAM_TZ)
    for purpose, data in ((f"HS:{code}", f"Hồ sơ (đọc qua API) — GET /api/v1/dossiers/{code}"),
                          ("HS:SOMEONE-ELSES-1", "Văn bản PDF của hồ sơ — receipt")):  # fmt: skip
        PersonalDataAccess.objects.create(
            subject_id_number=AN,
            at=now,
            accessor_kind=AccessorKind.STAFF,
            accessor="binh (Trần Văn Bình)",
            data=data,
            purpose=purpose,
        )
    html = client.get(URL).content.decode()
    table = "".join(_rows(html))
    assert f'<a href="/ho-so/{code}/">Hồ sơ {code}</a>' in table
    assert "Hồ sơ SOMEONE-ELSES-1" in table
    assert 'href="/ho-so/SOMEONE-ELSES-1/"' not in table
    assert "Đọc hồ sơ qua phần mềm kết nối" in table
    assert "Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in table
    for raw in ("/api/", "GET ", "receipt", "HS:", "binh ("):
        assert raw not in table


def test_a_page_costs_the_same_queries_for_25_rows_as_for_5(
    citizen_an: Any, record: None, django_assert_max_num_queries: Any
) -> None:
    client = _client(citizen_an)
    client.get(URL)  # warm the session and the language
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as full:
        client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"month": "2026-11", "page": 2})
    assert len(full.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(len(full.captured_queries)):
        client.get(URL, {"page": 2})


def test_the_export_follows_the_filter_and_holds_only_the_citizens_rows(
    citizen_an: Any, record: None
) -> None:
    export = _client(citizen_an).get(URL, {"who": "system", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3
    assert "Hệ thống Sở Y tế" in lines[1]
    assert "Người Đọc Hồ Sơ Khác" not in export.content.decode("utf-8-sig")
    everything = _client(citizen_an).get(URL, {"format": "csv", "page": 2}).content.decode("utf-8-sig")
    assert len(everything.strip().splitlines()) == 1 + 33  # the whole record, not a page
    assert "POST /congdan" not in everything


def test_the_page_in_english(citizen_an: Any, record: None) -> None:
    html = _client(citizen_an).get(URL, {"page": 2}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "33 uses of your data recorded" in html
    assert "Downloaded the dossier receipt and appointment slip" in html
    assert "Dossier H12.01-261101-0001" in html
    assert 'rel="prev">« Previous page<' in html
