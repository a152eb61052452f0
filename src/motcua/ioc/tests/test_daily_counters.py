"""The daily counters (issue 18.6: fast at national scale) give the same numbers as the fact rows.

A seeded, generated set of dossiers goes in through the importer (the incremental path: each fact's change
moves the counters in its own transaction), then changes — re-imported with other states, ends, supplements
and receipt days (a dossier moving between days), finished by our own workflow, put back to draft, deleted.
After each round: the table equals a recomputation from the facts, and the index and the dashboard read from
the counters equal the same figures read from the fact rows alone, for several periods, moments ("now")
and scopes — on SQLite and on PostgreSQL (where the open rows are found through the GiST span index)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from motcua.agencies.models import Agency
from motcua.dossiers.models import Dossier
from motcua.ioc.daily import daily_computed, daily_rebuild, daily_table
from motcua.ioc.facts import fact_refresh
from motcua.ioc.index import Period, index_compute
from motcua.ioc.models import DailyCount
from motcua.ioc.opendata import statistics_by_agency, statistics_by_agency_from_facts
from motcua.ioc.selectors import dashboard_for
from motcua.ioc.tests.conftest import VN, record

COMMUNE = "000.00.31.H99"
DEPARTMENT = "000.00.02.H99"
START = dt.datetime(2025, 9, 1, 0, 0, tzinfo=VN)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(VN).strftime("%Y%m%d%H%M%S")


def _moment(rng: random.Random, base: dt.datetime, days: int) -> dt.datetime:
    # Now and then exactly midnight: the edges of days and periods are where counters and rows could part.
    if rng.random() < 0.1:
        return (base + dt.timedelta(days=rng.randrange(days))).replace(hour=0, minute=0, second=0)
    return base + dt.timedelta(minutes=rng.randrange(days * 24 * 60))


def _generated(rng: random.Random, n: int, *, prefix: str = "G") -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        received = _moment(rng, START, 90) if rng.random() > 0.04 else None
        base = received or START
        status = rng.choice((1, 2, 4, 4, 5, 6, 7, 8, 9, 9, 10, 10, 10))
        fields: dict[str, Any] = {
            "KenhThucHien": rng.choice((1, 2, 2, 3)),
            "DonViXuLy": rng.choice((COMMUNE, DEPARTMENT)),
        }
        if received is not None:
            fields["NgayTiepNhan"] = _stamp(received)
        if rng.random() < 0.9:
            fields["NgayHenTra"] = _stamp(base + dt.timedelta(days=rng.choice((1, 3, 5, 10))))
        if status in (7, 8, 9, 10):
            fields["NgayKetThucXuLy"] = _stamp(_moment(rng, base, 15))
        if status == 10 and rng.random() < 0.5:
            fields["NgayTra"] = _stamp(_moment(rng, base, 20))
        if rng.random() < 0.25:
            asked = base + dt.timedelta(hours=rng.randrange(1, 72))
            supplements = [{"NgayBoSung": _stamp(asked)}]
            if status != 5 or rng.random() < 0.3:
                supplements[0]["NgayTiepNhanBoSung"] = _stamp(
                    asked + dt.timedelta(hours=rng.randrange(1, 96))
                )
            if rng.random() < 0.3:  # a second request: late whatever the end
                supplements.append({"NgayBoSung": _stamp(asked + dt.timedelta(days=4))})
            fields["DanhSachHoSoBoSung"] = supplements
        fields["DuocThanhToanTrucTuyen"] = rng.choice((0, 1, 2))
        fields["TaiKhoanDuocXacThucVoiVNeID"] = rng.choice((0, 1))
        fields["HoSoCoThanhPhanSoHoa"] = rng.choice((0, 0, 1))
        if rng.random() < 0.6:
            fields["DanhSachLePhi"] = [{"TenPhiLePhi": "Lệ phí", "Gia": rng.choice((0, 50000))}]
        fields["TaiLieuNop"] = [
            {
                "TenTepDinhKem": f"Tệp {k}",
                "DuongDanTaiTepTin": rng.choice(("", "/f.pdf", "/f.pdf")),
                "DuocSoHoa": rng.choice((0, 1)),
                "DuocLayTuKhoDMQG": rng.choice((0, 0, 1)),
            }
            for k in range(rng.randrange(0, 3))
        ]
        if rng.random() < 0.6:
            fields["DanhSachGiayToKetQua"] = [
                {"TenGiayTo": "Giấy phép", "DuongDanTepTinKetQua": rng.choice(("", "/kq.pdf"))}
            ]
        out.append(record(f"{prefix}{i:03d}", status, **fields))
    return out


PERIODS = (
    Period(dt.date(2025, 9, 1), dt.date(2025, 9, 30)),
    Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
    Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
    Period(dt.date(2025, 9, 15), dt.date(2025, 10, 20)),
    Period(dt.date(2025, 10, 7), dt.date(2025, 10, 7)),
)
MOMENTS = (
    dt.datetime(2025, 10, 7, 12, 30, tzinfo=VN),  # inside October, inside the one-day period
    dt.datetime(2025, 11, 1, 0, 0, tzinfo=VN),  # the end of October to the second
    dt.datetime(2025, 12, 20, 9, 0, tzinfo=VN),  # after every period
    dt.datetime(2025, 9, 10, 8, 0, tzinfo=VN),  # before some periods start
)


def _indicators(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {code: (item["numerator"], item["denominator"]) for code, item in result["indicators"].items()}


def _assert_same_figures() -> None:
    assert daily_table() == daily_computed()
    department = Agency.objects.get(code=DEPARTMENT)
    for agency in (None, department):
        for period in PERIODS:
            for now in MOMENTS:
                fast = index_compute(period=period, agency=agency, now=now)
                slow = index_compute(period=period, agency=agency, now=now, source="facts")
                assert _indicators(fast) == _indicators(slow), (period, now, agency)
                assert fast["total"] == slow["total"]
    for ids in (None, {department.pk}):
        for now in MOMENTS:
            fast = dashboard_for(agency_ids=ids, agency=None, now=now)
            slow = dashboard_for(agency_ids=ids, agency=None, now=now, source="facts")
            for key in ("counts", "by_channel", "by_level", "ranking", "due_soon", "open_late_codes"):
                assert fast[key] == slow[key], (key, now, ids)
            assert [m["total"] for m in fast["trend"]] == [m["total"] for m in slow["trend"]]
    for agency in (None, department):
        for period in PERIODS:
            fast_rows = statistics_by_agency(period=period, agency=agency)
            assert fast_rows == statistics_by_agency_from_facts(period=period, agency=agency), period


def test_the_counters_follow_every_change_of_the_facts(
    load: Callable[..., Any], commune: Agency, settings: Any
) -> None:
    settings.MOTCUA_IOC_DASHBOARD_SECONDS = 0
    rng = random.Random(766)
    first = _generated(rng, 120)
    load(*first)
    assert DailyCount.objects.exists()
    _assert_same_figures()

    # Round 2: a third of the dossiers change in the national portal — state, end, supplements, and their
    # receipt day (the dossier moves between days, and between months) — and new ones arrive.
    changed = []
    for item in first:
        if rng.random() < 0.35:
            fresh = _generated(rng, 1)[0]
            fresh["MaHoSo"] = item["MaHoSo"]
            changed.append(fresh)
        else:
            changed.append(item)
    load(*changed, *_generated(rng, 30, prefix="N"))
    _assert_same_figures()

    # Round 3: our own workflow ends some open dossiers (another day, another verdict), one goes back to
    # draft (its fact and counters go), one is deleted with its fact.
    open_ones = list(Dossier.objects.filter(processing_finished_at__isnull=True, received_at__isnull=False))
    for dossier in open_ones[:10]:
        dossier.status = "returned"
        dossier.processing_finished_at = dossier.received_at + dt.timedelta(days=rng.randrange(0, 20))
        dossier.save()
        fact_refresh(dossier)
    draft = Dossier.objects.exclude(pk__in=[d.pk for d in open_ones[:10]]).order_by("pk").first()
    assert draft is not None
    draft.status = "draft"
    draft.save()
    fact_refresh(draft)
    Dossier.objects.exclude(status="draft").order_by("-pk").first().delete()  # type: ignore[union-attr]
    _assert_same_figures()


def test_the_rebuild_gives_the_table_back(load: Callable[..., Any], commune: Agency) -> None:
    load(*_generated(random.Random(18), 40))
    expected = daily_table()
    assert expected
    DailyCount.objects.all().update(received=0, finished=7)  # damaged, or a bulk load that went around
    assert daily_table() != expected
    assert daily_rebuild() == len(expected)
    assert daily_table() == expected


def test_a_counter_row_is_shared_by_the_facts_of_one_day(load: Callable[..., Any], commune: Agency) -> None:
    """Two dossiers of the same day, agency and channel add up in one row; moving one away leaves 1."""
    same = {"NgayTiepNhan": "20251006090000", "NgayHenTra": "20251010170000", "KenhThucHien": 2}
    load(record("S1", 4, **same), record("S2", 4, **same))
    row = DailyCount.objects.get(day=dt.date(2025, 10, 6), channel="online")
    assert row.received == 2
    load(record("S1", 4, **same), record("S2", 4, **{**same, "NgayTiepNhan": "20251007090000"}))
    row.refresh_from_db()
    assert row.received == 1
    assert DailyCount.objects.get(day=dt.date(2025, 10, 7), channel="online").received == 1


def test_the_rebuild_command(load: Callable[..., Any], commune: Agency) -> None:
    from io import StringIO

    from django.core.management import call_command

    load(*_generated(random.Random(5), 10))
    expected = daily_table()
    DailyCount.objects.all().delete()
    out = StringIO()
    call_command("index", "rebuild-daily", stdout=out)
    assert f"{len(expected)} daily counter rows rebuilt" in out.getvalue()
    assert daily_table() == expected
