"""Catalogue search ranks by relevance, on the page and in the API, on SQLite and PostgreSQL (walk.md step 1:
"giấy phép xuất bản bản tin" listed "Cấp giấy phép hoạt động in" first because results were alphabetical)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.search import MAX_QUERY_WORDS, TITLE_END, search_words, version_search_text
from motcua.catalog.selectors import procedure_version_search
from motcua.testing.factories import FieldFactory, ProcedureVersionFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

# Best first, for the query "giấy phép xuất bản bản tin".
EXACT = "Giấy phép xuất bản bản tin"
PHRASE_A = "Cấp giấy phép xuất bản bản tin (địa phương)"
PHRASE_B = "Văn bản chấp thuận thay đổi nội dung ghi trong giấy phép xuất bản bản tin"
IN_ORDER = "Giấy phép xuất bản đặc san và bản tin"
ANY_ORDER = "Bản tin: cấp lại giấy phép xuất bản"
ELSEWHERE = "Cấp giấy phép hoạt động in"  # matches only through its field and English name
EXPECTED = [EXACT, PHRASE_A, PHRASE_B, IN_ORDER, ANY_ORDER, ELSEWHERE]


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def make(name: str, **kwargs: Any) -> ProcedureVersion:
    version: ProcedureVersion = ProcedureVersionFactory(name=name, **kwargs)
    version.search_text = version_search_text(version)
    version.save(update_fields=["search_text"])
    return version


@pytest.fixture
def press(culture_department: Agency) -> None:
    field = FieldFactory(code="G15-VH08", name="Xuất bản, in và phát hành")
    # Created in an order that is neither the expected one nor alphabetical.
    make(ELSEWHERE, name_en="Printing licence", field=field, competent_agency=culture_department)
    for name in (ANY_ORDER, PHRASE_B, IN_ORDER, PHRASE_A, EXACT):
        make(name, field=field, competent_agency=culture_department)
    make("Đăng ký khai sinh", competent_agency=culture_department)


def listed(html: str) -> list[str]:
    names = [EXACT, PHRASE_A, PHRASE_B, IN_ORDER, ANY_ORDER, ELSEWHERE, "Đăng ký khai sinh"]
    found = [(html.find(f">{name}<"), name) for name in names]
    return [name for at, name in sorted(found) if at >= 0]


@pytest.mark.parametrize(
    "query", ["giấy phép xuất bản bản tin", "giay phep xuat ban ban tin", "GIẤY PHÉP XUẤT BẢN BẢN TIN"]
)
def test_the_page_lists_the_exact_name_first_then_the_name_matches_then_other_fields(
    press: None, query: str
) -> None:
    response = Client().get("/thu-tuc/", {"q": query})
    assert response.status_code == 200
    assert listed(response.content.decode()) == EXPECTED


def test_the_api_ranks_like_the_page(press: None) -> None:
    body = Client().get("/api/v1/catalogue/procedures", {"q": "giay phep xuat ban ban tin"}).json()
    assert [item["name"] for item in body["items"]] == EXPECTED
    assert body["count"] == len(EXPECTED)


def test_ties_are_alphabetical_and_an_empty_query_lists_everything_alphabetically(press: None) -> None:
    two_words = [v.name for v in procedure_version_search(query="bản tin")]
    # Five have "ban tin" as a phrase in the name (alphabetical among themselves); the printing licence
    # matches only in other fields ("printing").
    assert two_words == [ANY_ORDER, PHRASE_A, EXACT, IN_ORDER, PHRASE_B, ELSEWHERE]
    everything = [v.name for v in procedure_version_search(query="")]
    assert everything[0] == ANY_ORDER
    assert everything == sorted(everything, key=lambda n: version_search_text_of(n))


def version_search_text_of(name: str) -> str:
    return ProcedureVersion.objects.get(name=name).search_text


def test_words_found_only_in_other_fields_come_last(press: None) -> None:
    names = [v.name for v in procedure_version_search(query="xuat ban")]
    # The printing licence has "xuất bản" only in its field's name, "Xuất bản, in và phát hành".
    assert names[-1] == ELSEWHERE
    assert set(names) == set(EXPECTED)


def test_the_search_text_keeps_the_name_apart_from_the_other_fields(press: None) -> None:
    text = version_search_text_of(ELSEWHERE)
    assert text.startswith("cap giay phep hoat dong in" + TITLE_END)
    assert "printing licence" in text.split(TITLE_END, 1)[1]


def test_a_thousand_word_query_is_refused_by_the_api_with_a_json_422(press: None) -> None:
    response = Client().get("/api/v1/catalogue/procedures", {"q": " ".join(["tin"] * 1000)})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"][0]["loc"][-1] == "q"


def test_a_query_at_the_api_limit_still_answers(press: None) -> None:
    response = Client().get("/api/v1/catalogue/procedures", {"q": " ".join(["tin"] * 50)[:200]})
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_a_thousand_word_query_is_truncated_on_the_page_and_in_the_selector(press: None) -> None:
    query = " ".join(["giay phep"] * 500)
    assert len(search_words(query)) == MAX_QUERY_WORDS
    assert (
        procedure_version_search(query=query).count() == procedure_version_search(query="giay phep").count()
    )
    response = Client().get("/thu-tuc/", {"q": query})
    assert response.status_code == 200
    assert re.search(r"Tìm thấy \d+ thủ tục", response.content.decode())


def test_wildcards_in_a_query_are_plain_characters(press: None) -> None:
    assert procedure_version_search(query="%").count() == 0
    assert procedure_version_search(query="_ tin").count() == 0
    assert procedure_version_search(query="ban% tin").count() == 0
