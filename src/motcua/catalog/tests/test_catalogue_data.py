"""The demo catalogue says what the law in force says (legal review, rows 4.2 and 7a–7i): each value is read
back from the imported rows, so a wrong fixture fails here."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.exchange import catalogue_export, catalogue_import
from motcua.catalog.models import ProcedureVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo() -> None:
    load_demo_agencies()
    load_demo_catalogue()


def _version(code: str, day: dt.date = dt.date(2025, 9, 1)) -> ProcedureVersion:
    return ProcedureVersion.objects.effective_on(day).get(procedure__local_code=f"{code}.000.00.00.H99")


def _bases(version: ProcedureVersion) -> list[str]:
    return list(version.legal_bases.values_list("number", flat=True))


def test_marriage_with_a_foreign_element_takes_5_working_days_and_10_with_verification() -> None:
    version = _version("2.000806")
    assert (version.time_limit_value, version.time_limit_unit) == (Decimal(5), "working_days")
    assert "không quá 10 ngày làm việc" in version.time_limit_note
    assert "120/2025/NĐ-CP" in _bases(version)
    older = version.procedure.versions.get(number=1)
    assert older.time_limit_value == Decimal(
        10
    )  # the district-level version before 01/07/2025 keeps its limit


def test_the_identity_card_fee_is_50000_and_names_the_30000_and_70000_cases() -> None:
    version = ProcedureVersion.objects.get(procedure__local_code="H99.DP.015")
    fees = list(version.fees.all())
    assert [(f.name, f.amount, f.channel) for f in fees] == [("Lệ phí cấp đổi thẻ căn cước", 50000, "")]
    assert "Căn cước công dân sang thẻ căn cước: 30.000 đồng" in fees[0].exemptions
    assert "cấp lại thẻ căn cước: 70.000 đồng" in fees[0].exemptions
    assert fees[0].legal_basis == "Thông tư 73/2024/TT-BTC"


def test_the_judicial_record_fee_follows_circular_16_2025_from_2026_in_a_new_version() -> None:
    before, after = _version("3.000333"), _version("3.000333", dt.date(2026, 3, 2))
    assert (before.number, before.effective_to) == (1, dt.date(2025, 12, 31))
    assert (after.number, after.effective_from) == (2, dt.date(2026, 1, 1))
    assert "16/2025/TT-BTC" not in _bases(before)
    assert "16/2025/TT-BTC" in _bases(after)
    fee = after.fees.get()
    assert (fee.amount, fee.legal_basis) == (200000, "Thông tư 16/2025/TT-BTC")
    for words in ("100.000 đồng", "hộ nghèo, hộ cận nghèo", "xã biên giới", "thu thêm 5.000 đồng/Phiếu"):
        assert words in fee.exemptions, words


def test_certification_and_civil_status_cite_their_amending_decrees_and_the_cut_off_basis() -> None:
    birth = _version("1.001193")
    assert _bases(birth)[:3] == ["60/2014/QH13", "123/2015/NĐ-CP", "07/2025/NĐ-CP"]
    assert "123/2015/NĐ-CP, sửa đổi bởi Nghị định 07/2025/NĐ-CP" in birth.same_day_cutoff_basis
    copy = _version("2.000815")
    assert {"23/2015/NĐ-CP", "07/2025/NĐ-CP", "280/2025/NĐ-CP"} <= set(_bases(copy))
    assert copy.same_day_cutoff == dt.time(15, 0)
    assert copy.same_day_cutoff_basis.startswith("Nghị định 23/2015/NĐ-CP")
    same_day = ProcedureVersion.objects.filter(time_limit_unit="same_day")
    assert same_day.exists()
    assert not same_day.filter(same_day_cutoff_basis="").exists()


def test_residence_land_and_work_permit_cite_the_texts_in_force() -> None:
    residence = _version("1.004222")
    assert {"75/2022/TT-BTC", "71/2025/TT-BTC"} <= set(_bases(residence))
    for fee in residence.fees.all():
        assert "71/2025/TT-BTC" in fee.legal_basis
        assert "hộ nghèo" in fee.exemptions
        assert "xã biên giới" in fee.exemptions
    land = _version("1.012753")
    assert "151/2025/NĐ-CP" in _bases(land)
    assert "30 ngày làm việc" in land.time_limit_note
    permit = _version("1.014199")
    assert "219/2025/NĐ-CP" in _bases(permit)
    assert "03 ngày làm việc" in permit.time_limit_note


def test_the_cut_off_basis_round_trips_under_its_national_style_key() -> None:
    exported = catalogue_export(codes=["2.000815.000.00.00.H99"])
    record = exported["THUTUC"][0]
    assert record["GIOCHOTTRONGNGAY"] == "15:00"
    assert record["CANCUGIOCHOTTRONGNGAY"].startswith("Nghị định 23/2015/NĐ-CP")
    record["CANCUGIOCHOTTRONGNGAY"] = "Nghị định 23/2015/NĐ-CP, Điều 20"
    report = catalogue_import(data=exported)
    assert report.versions_updated == 1
    assert _version("2.000815").same_day_cutoff_basis == "Nghị định 23/2015/NĐ-CP, Điều 20"
    assert "CANCUGIOCHOTTRONGNGAY" not in catalogue_export(codes=["1.004222.000.00.00.H99"])["THUTUC"][0]


def test_the_procedure_page_shows_the_basis_next_to_the_cut_off() -> None:
    page = Client().get("/thu-tuc/2.000815.000.00.00.H99/").content.decode()
    assert (
        "Trong ngày; nếu nhận sau 15:00 thì trả trong ngày làm việc tiếp theo "
        "(Nghị định 23/2015/NĐ-CP, sửa đổi bởi Nghị định 07/2025/NĐ-CP và Nghị định 280/2025/NĐ-CP)"
    ) in page


def test_the_default_cut_off_no_longer_cites_decree_61_article_19() -> None:
    path = Path(__file__).parents[2] / "calendar" / "data" / "official_schedules.json"
    source = json.loads(path.read_text(encoding="utf-8"))["same_day_cutoff"]["source"]
    assert "pháp luật chuyên ngành" in source
    assert "Nghị định 23/2015/NĐ-CP" in source
    assert not source.startswith("Nghị định 61/2018")
