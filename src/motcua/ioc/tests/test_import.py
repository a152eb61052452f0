"""``motcua dossiers import --format dvcqg``: all or nothing per file, idempotent by MaHoSo, each bad line
named with its number; and the facts follow a dossier's later changes through the dossiers port."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from motcua.core.errors import ValidationFailedError
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.workflow import Actor, TimelineAction
from motcua.ioc.models import DossierFact, NationalRecord
from motcua.ioc.tests.conftest import VN, record

GOOD = record(
    "000.00.02.H99-251001-0001",
    9,
    NgayTiepNhan="20251001080000",
    NgayHenTra="20251010170000",
    NgayKetThucXuLy="20251008100000",
    DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 50000}],
    TaiLieuNop=[{"TenTepDinhKem": "Đơn đề nghị", "DuongDanTaiTepTin": "/f/1.pdf", "DuocSoHoa": 1}],
)


def test_a_record_becomes_a_dossier_with_its_fact(load: Callable[..., Any]) -> None:
    report = load(GOOD)
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    dossier = Dossier.objects.get(code=GOOD["MaHoSo"])
    assert dossier.status == "issued"
    assert dossier.channel == "counter"
    assert dossier.received_at == dt.datetime(2025, 10, 1, 8, 0, tzinfo=VN)
    assert [c.reused for c in dossier.components.all()] == [True]
    assert dossier.fees.get().amount == 50000
    assert dossier.events.get().action == TimelineAction.IMPORT
    fact = DossierFact.objects.get(dossier=dossier)
    assert (fact.verdict, fact.synced, fact.reused, fact.fee_bearing) == ("early", True, True, True)


def test_importing_again_is_idempotent_and_a_change_updates(load: Callable[..., Any]) -> None:
    load(GOOD)
    assert load(GOOD).unchanged == 1
    changed = {**GOOD, "NgayKetThucXuLy": "20251013100000"}
    assert load(changed).updated == 1
    assert Dossier.objects.filter(code=GOOD["MaHoSo"]).count() == 1
    assert DossierFact.objects.get(code=GOOD["MaHoSo"]).verdict == "late"
    assert NationalRecord.objects.get().record["NgayKetThucXuLy"] == "20251013100000"


def test_one_bad_line_stops_the_whole_file_and_is_named(load: Callable[..., Any]) -> None:
    bad_date = record("X-2", 4, NgayTiepNhan="01/10/2025")
    unknown_agency = {**record("X-3", 4), "DonViXuLy": "000.00.77.H99"}
    with pytest.raises(ValidationFailedError) as caught:
        load(GOOD, bad_date, unknown_agency, {**GOOD})
    errors = caught.value.extra["errors"]
    assert errors[0].startswith("Dòng 2: NgayTiepNhan")
    assert "yyyyMMddHHmmss" in errors[0]
    assert errors[1] == "Dòng 3: không có cơ quan mã 000.00.77.H99"
    assert "Dòng 4" in errors[2]
    assert "trùng với dòng 1" in errors[2]
    assert not Dossier.objects.exists()


def test_the_command(load: Callable[..., Any], tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n\n", encoding="utf-8")
    out = StringIO()
    call_command("dossiers", "import", "--format", "dvcqg", str(good), stdout=out)
    assert out.getvalue().startswith("created 1, updated 0, unchanged 0")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(GOOD) + "\n{not json\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("dossiers", "import", str(bad), stderr=err)
    assert err.getvalue().startswith("Dòng 2:")


def test_the_fact_follows_a_later_change(
    load: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A dossier imported while in progress and then finished here: its fact is rebuilt after the event."""
    load(record("OPEN-1", 4, NgayTiepNhan="20251001080000", NgayHenTra="20251010170000"))
    dossier = Dossier.objects.get(code="OPEN-1")
    assert DossierFact.objects.get(dossier=dossier).verdict == "open"
    with django_capture_on_commit_callbacks(execute=True):
        dossier.status = "issued"
        dossier.processing_finished_at = dt.datetime(2025, 10, 9, 10, 0, tzinfo=VN)
        dossier.save()
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.ISSUE,
            actor=None,
            actor_role=Actor.SYSTEM,
            actor_agency=None,
            from_status="processing",
            to_status="issued",
        )
    fact = DossierFact.objects.get(dossier=dossier)
    assert (fact.verdict, fact.national_status) == ("early", 9)
    assert DossierEvent.objects.filter(dossier=dossier).count() == 2


def test_a_past_months_kept_index_follows_a_changed_history(load: Callable[..., Any]) -> None:
    from motcua.ioc.index import index_month_kept

    september = dt.date(2025, 9, 1)
    now = dt.datetime(2025, 10, 20, 12, 0, tzinfo=VN)
    done = {"NgayTiepNhan": "20250902080000", "NgayHenTra": "20250910170000"}
    load(record("SEP-1", 9, NgayKetThucXuLy="20250908100000", **done))
    first = index_month_kept(month=september, agency=None, now=now)["indicators"]["2.1"]
    assert (first["numerator"], first["denominator"]) == (1, 1)
    # The old system's export is corrected: the dossier ended after its appointment.
    load(record("SEP-1", 9, NgayKetThucXuLy="20250912100000", **done))
    again = index_month_kept(month=september, agency=None, now=now)["indicators"]["2.1"]
    assert (again["numerator"], again["denominator"]) == (0, 1)


def test_a_file_larger_than_a_batch_goes_in_whole(load: Callable[..., Any], monkeypatch: Any) -> None:
    """The importer writes in rounds of multi-row statements (``BATCH`` records): rounds of new and of
    changed records give the same dossiers, facts and counters as one record at a time would."""
    from motcua.ioc import importer
    from motcua.ioc.daily import daily_computed, daily_table

    monkeypatch.setattr(importer, "BATCH", 3)
    first = [
        record(f"B-{i}", 4, NgayTiepNhan=f"202510{i + 1:02d}080000", NgayHenTra="20251020170000")
        for i in range(8)
    ]
    assert load(*first).created == 8
    ended = [{**item, "TrangThaiHoSo": 9, "NgayKetThucXuLy": "20251015090000"} for item in first[4:]]
    again = [*first[:4], *ended, record("B-9", 2, NgayTiepNhan="20251012080000")]
    report = load(*again)
    assert (report.created, report.updated, report.unchanged) == (1, 4, 4)
    assert DossierFact.objects.count() == Dossier.objects.count() == 9
    assert DossierFact.objects.filter(code__in=["B-4", "B-7"], national_status=9).count() == 2
    assert DossierEvent.objects.filter(action=TimelineAction.IMPORT).count() == 8 + 5
    assert daily_table() == daily_computed()
