"""The catalogue compared with LayThuTuc and updated as a new version; the reconcile command's JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from motcua.catalog.demo import DEMO_FILE
from motcua.catalog.models import ProcedureVersion
from motcua.dvcqg.tests.conftest import RunningPortal
from motcua.simulators.dvcqg import NationalPortal, national_records
from motcua.testing.journeys import bulletin_submitted

TODAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture
def demo_catalogue(db: None) -> None:
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue

    load_demo_agencies()
    calendar_seed(years=range(2025, 2028))
    load_demo_catalogue()


@pytest.fixture
def demo_portal(settings: Any) -> Iterator[RunningPortal]:
    running = RunningPortal(NationalPortal(procedures=national_records(json.loads(DEMO_FILE.read_bytes()))))
    settings.MOTCUA_DVCQG_URL = running.url
    yield running
    running.stop()


def _json(*args: str) -> Any:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        call_command("dvcqg", *args)
    return json.loads(out.getvalue())


def test_catalogue_diff_shows_the_national_changes_and_apply_publishes_new_versions(
    demo_catalogue: None, demo_portal: RunningPortal
) -> None:
    with time_machine.travel(TODAY, tick=False):
        diff = _json("catalogue-diff", "--json")
        assert diff["different"] == 2
        assert diff["missing"] == 0
        assert diff["same"] == diff["checked"] - 2
        fields = {d["field"] for item in diff["items"] for d in item["differences"]}
        assert fields == {"CANCUPHAPLY", "CACHTHUCTHUCHIEN"}
        before = ProcedureVersion.objects.count()
        applied = _json("catalogue-diff", "--json", "--apply")["applied"]
        assert [a["outcome"] for a in applied] == ["created", "created"]
        assert ProcedureVersion.objects.count() == before + 2
        code = applied[0]["code"]
        old, new = ProcedureVersion.objects.filter(procedure__local_code=code).order_by("number")
        assert old.effective_to == dt.date(2026, 3, 2)
        assert new.effective_from == dt.date(2026, 3, 3)
        assert new.status == "published"
    with time_machine.travel(TODAY + dt.timedelta(days=1), tick=False):
        assert _json("catalogue-diff", "--json")["different"] == 0


def test_reconcile_prints_the_agreed_json(
    national_portal: RunningPortal, bulletin_version, citizen_an
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    result = _json("reconcile", "--json")
    assert {k: result[k] for k in ("checked", "matched", "different", "missing")} == {
        "checked": 1,
        "matched": 0,
        "different": 0,
        "missing": 1,
    }
    assert result["items"][0]["code"] == dossier.code
    call_command("dvcqg", "resync", dossier.code, stdout=io.StringIO())
    assert _json("reconcile", "--json")["matched"] == 1
