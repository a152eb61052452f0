"""The national index from small imported datasets whose values are worked out by hand here: one case per
rule of the on-time rule (domain-vn.md §1.7), and the digitisation / payment / reuse indicators (§2.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from motcua.ioc.index import MEASURES, ROW_FIELDS, Period, Row, evidence, index_compute, what_if
from motcua.ioc.models import DossierFact
from motcua.ioc.tests.conftest import VN, record

OCTOBER = Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
# Looked at on Monday 20 October 2025, noon.
NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=VN)
RECEIVED = "20251001080000"
DUE = "20251010170000"  # Friday 10/10/2025 17:00


def _on_time_cases() -> list[dict[str, Any]]:
    return [
        # Finished two days before the appointment: early.
        record("A", 9, NgayTiepNhan=RECEIVED, NgayHenTra=DUE, NgayKetThucXuLy="20251008100000"),
        # Finished on the appointment day, before the hour: on time.
        record("B", 9, NgayTiepNhan=RECEIVED, NgayHenTra=DUE, NgayKetThucXuLy="20251010160000"),
        # Finished 42 minutes after the appointment: late.
        record("C", 9, NgayTiepNhan=RECEIVED, NgayHenTra=DUE, NgayKetThucXuLy="20251010174200"),
        # Priority 9 > 10: processing ended 09/10 (on time) though the result was returned 14/10.
        record(
            "D",
            10,
            NgayTiepNhan=RECEIVED,
            NgayHenTra=DUE,
            NgayKetThucXuLy="20251009090000",
            NgayTra="20251014090000",
        ),
        # Waiting for the applicant's supplement requested 05/10: the request ends the clock — on time,
        # although the appointment has passed by 20/10.
        record(
            "E",
            5,
            NgayTiepNhan=RECEIVED,
            NgayHenTra=DUE,
            DanhSachHoSoBoSung=[{"NgayBoSung": "20251005090000"}],
        ),
        # A second supplement request makes the dossier late, though it finished before the appointment.
        record(
            "F",
            9,
            NgayTiepNhan=RECEIVED,
            NgayHenTra=DUE,
            NgayKetThucXuLy="20251009090000",
            DanhSachHoSoBoSung=[
                {"NgayBoSung": "20251002090000", "NgayTiepNhanBoSung": "20251003090000"},
                {"NgayBoSung": "20251006090000", "NgayTiepNhanBoSung": "20251007090000"},
            ],
        ),
        # Supplement time subtracted: ended 13/10 10:00 less 96 h waiting (03/10 → 07/10)
        # = 09/10 10:00: early.
        record(
            "G",
            9,
            NgayTiepNhan=RECEIVED,
            NgayHenTra=DUE,
            NgayKetThucXuLy="20251013100000",
            DanhSachHoSoBoSung=[{"NgayBoSung": "20251003090000", "NgayTiepNhanBoSung": "20251007090000"}],
        ),
        # No receipt date: not counted at all.
        record("H", 4, NgayHenTra=DUE),
        # No appointment synced: the legal limit (5 working days from Monday 06/10 09:00 → 13/10) decides;
        # ended 08/10: early.
        record("I", 9, NgayTiepNhan="20251006090000", NgayKetThucXuLy="20251008090000"),
        # Still being processed, due 31/10: in progress in time.
        record("J", 4, NgayTiepNhan=RECEIVED, NgayHenTra="20251031170000"),
        # Still being processed, due 15/10: in progress, late.
        record("K", 4, NgayTiepNhan=RECEIVED, NgayHenTra="20251015170000"),
        # Withdrawn by the applicant on 07/10, after acceptance: an end, before the appointment — on time.
        record("W", 7, NgayTiepNhan=RECEIVED, NgayHenTra=DUE, NgayKetThucXuLy="20251007090000"),
    ]


def _verdicts() -> dict[str, str]:
    return dict(DossierFact.objects.values_list("code", "verdict"))


def test_each_rule_of_the_on_time_count(load: Callable[..., Any]) -> None:
    load(*_on_time_cases())
    assert _verdicts() == {
        "A": "early",
        "B": "on_time",
        "C": "late",
        "D": "early",
        "E": "early",
        "F": "late",
        "G": "early",
        "H": "not_counted",
        "I": "early",
        "J": "open",
        "K": "open",
        "W": "early",
    }
    late = DossierFact.objects.get(code="C").verdict_reason
    assert "10/10/2025 17:42" in late
    assert "10/10/2025 17:00" in late
    assert "13/10/2025" in DossierFact.objects.get(code="I").verdict_reason  # the legal limit


def test_the_on_time_indicator_by_hand(load: Callable[..., Any]) -> None:
    load(*_on_time_cases())
    result = index_compute(period=OCTOBER, now=NOW)
    on_time = result["indicators"]["2.1"]
    # Counted: all but H (no receipt date) = 11. In time: A B D E G I J W = 8 (late: C, F, K).
    assert (on_time["numerator"], on_time["denominator"]) == (8, 11)
    assert on_time["rate"] == 0.7273
    assert on_time["points"] == 14.55  # 20 × 0.7273
    # 5.4 = 100 % − late rate (nobody unsatisfied): 8/11 below the 90 % threshold → 6 × 0.7273 / 0.9.
    assert result["indicators"]["5.4"]["points"] == 4.85
    # The late K counts as in time when looked at before its appointment (15/10 noon).
    earlier = index_compute(period=OCTOBER, now=dt.datetime(2025, 10, 15, 12, 0, tzinfo=VN))
    assert earlier["indicators"]["2.1"]["numerator"] == 9


def _flag_cases() -> list[dict[str, Any]]:
    done = {"NgayTiepNhan": RECEIVED, "NgayHenTra": DUE, "NgayKetThucXuLy": "20251008100000"}
    return [
        record(
            "P1",
            10,
            KenhThucHien=2,
            DuocThanhToanTrucTuyen=1,
            TaiKhoanDuocXacThucVoiVNeID=1,
            DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 50000}],
            TaiLieuNop=[
                {
                    "TenTepDinhKem": "Đơn",
                    "DuongDanTaiTepTin": "/f/1.pdf",
                    "DuocSoHoa": 1,
                    "DuocLayTuKhoDMQG": 1,
                }
            ],
            DanhSachGiayToKetQua=[{"TenGiayTo": "Giấy phép", "DuongDanTepTinKetQua": "/kq/1.pdf"}],
            **done,
        ),
        record(
            "P2",
            10,
            KenhThucHien=1,
            DanhSachLePhi=[{"TenPhiLePhi": "Phí", "Gia": 0}],
            TaiLieuNop=[{"TenTepDinhKem": "Đơn", "DuongDanTaiTepTin": ""}],
            **done,
        ),
        record(
            "P3",
            10,
            KenhThucHien=2,
            DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 100000}],
            TaiLieuNop=[{"TenTepDinhKem": "Đơn", "DuongDanTaiTepTin": "/f/3.pdf"}],
            DanhSachGiayToKetQua=[{"TenGiayTo": "Giấy phép", "DuongDanTepTinKetQua": "/kq/3.pdf"}],
            **done,
        ),
        record(
            "P4",
            10,
            KenhThucHien=3,
            HoSoCoThanhPhanSoHoa=1,
            TaiLieuNop=[{"TenTepDinhKem": "Đơn", "DuongDanTaiTepTin": "/f/4.pdf"}],
            **done,
        ),
    ]


def test_digitisation_payment_and_reuse_by_hand(load: Callable[..., Any]) -> None:
    load(*_flag_cases())
    got = {
        code: (item["numerator"], item["denominator"], item["points"])
        for code, item in index_compute(period=OCTOBER, now=NOW)["indicators"].items()
    }
    assert got["1.4"] == (4, 4, 6.0)  # all came from the national portal
    assert got["3.3"] == (2, 4, 0.0)  # online with an e-result: P1, P3 (tracking, 0 points)
    assert got["3.6"] == (1, 2, 3.0)  # fee-bearing P1, P3 (P2's fees are all 0); paid online: P1
    assert got["4.1"] == (2, 4, 3.0)  # e-result P1, P3
    assert got["4.2"] == (2, 4, 2.5)  # files and e-result: P1, P3 → 0.5 ÷ 0.8 × 4
    assert got["4.3"] == (2, 4, 1.25)  # reused: P1 (DuocSoHoa), P4 (HoSoCoThanhPhanSoHoa) → 0.5 ÷ 0.8 × 2
    assert got["4.4"] == (1, 4, 1.0)  # from the citizen's store: P1
    assert got["4.5b"] == (1, 4, 0.5)  # VNeID: P1
    assert got["5.4"] == (4, 4, 6.0)


def test_the_database_counts_and_the_python_tests_agree(load: Callable[..., Any]) -> None:
    load(*_on_time_cases(), *_flag_cases())
    rows = [Row(*values) for values in DossierFact.objects.values_list(*ROW_FIELDS)]
    as_of = OCTOBER.as_of(NOW)
    result = index_compute(period=OCTOBER, now=NOW)
    from motcua.ioc.index import rules_on

    for rule in rules_on(OCTOBER.end):
        measure = MEASURES[rule.measure]
        numerator = sum(measure.in_numerator(row, OCTOBER, as_of) for row in rows)
        denominator = sum(measure.in_denominator(row, OCTOBER, as_of) for row in rows)
        item = result["indicators"][rule.code]
        assert (item["numerator"], item["denominator"]) == (numerator, denominator), rule.code


def test_evidence_lists_the_dossiers_with_their_reason(load: Callable[..., Any]) -> None:
    load(*_on_time_cases())
    late = evidence(code="2.1", part="late", period=OCTOBER, now=NOW)
    assert late["count"] == 3
    reasons = {item["code"]: item["reason"] for item in late["dossiers"]}
    assert set(reasons) == {"C", "F", "K"}
    assert "17:42" in reasons["C"]
    assert "lần thứ hai" in reasons["F"]
    assert "quá hạn" in reasons["K"]
    assert evidence(code="2.1", part="denominator", period=OCTOBER, now=NOW)["count"] == 11


def test_what_if_the_open_dossiers_finished_today(load: Callable[..., Any]) -> None:
    load(*_on_time_cases())
    # J finishes now (before its appointment of 31/10): still in time; K finishes now: still late.
    outcome = what_if(codes=["J", "K"], period=OCTOBER, finish_at=NOW, now=NOW)
    assert outcome["after"]["indicators"]["2.1"]["numerator"] == 8
    # 4.1 gains two e-results (J and K finish with an electronic result): 0 → 2 of 11 received.
    assert outcome["before"]["indicators"]["4.1"]["numerator"] == 0
    assert outcome["after"]["indicators"]["4.1"]["numerator"] == 2
    assert outcome["gain"] > 0
    # Finishing K on 15/10 morning (before its appointment) would have made it on time.
    earlier = dt.datetime(2025, 10, 15, 9, 0, tzinfo=VN)
    outcome = what_if(codes=["K"], period=OCTOBER, finish_at=earlier, now=earlier)
    assert (
        outcome["after"]["indicators"]["2.1"]["numerator"]
        == outcome["before"]["indicators"]["2.1"]["numerator"]
    )


def test_rules_are_data_with_dates(load: Callable[..., Any]) -> None:
    from decimal import Decimal

    from motcua.ioc.models import IndicatorRule

    load(*_flag_cases())
    old = IndicatorRule.objects.get(code="4.4")
    old.valid_to = dt.date(2025, 9, 30)
    old.save()
    IndicatorRule.objects.create(
        code="4.4",
        name=old.name,
        group=old.group,
        group_name=old.group_name,
        measure=old.measure,
        max_points=Decimal(8),
        threshold=Decimal("0.5"),
        formula=old.formula,
        valid_from=dt.date(2025, 10, 1),
        legal_basis="Công thức mới thử nghiệm",
    )
    # 1/4 ÷ 0.5 × 8 = 4 points under the new formula for October.
    assert index_compute(period=OCTOBER, now=NOW)["indicators"]["4.4"]["points"] == 4.0
    september = Period(dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert index_compute(period=september, now=NOW)["indicators"]["4.4"]["max_points"] == 4.0


@pytest.mark.parametrize(("agency_code", "expected"), [("000.00.02.H99", 4), ("000.00.00.H99", 4)])
def test_agency_scope(load: Callable[..., Any], agency_code: str, expected: int) -> None:
    from motcua.agencies.models import Agency

    load(*_flag_cases())
    agency = Agency.objects.get(code=agency_code)
    assert (
        index_compute(period=OCTOBER, agency=agency, now=NOW)["indicators"]["4.1"]["denominator"] == expected
    )
