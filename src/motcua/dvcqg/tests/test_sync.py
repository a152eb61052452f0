"""Every dossier and every step reaches the national portal (simulator) through the outbox, with the
status code of the mapping table; an outage loses nothing and the backlog drains when it ends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine

from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dvcqg.models import SentEvent, SyncState
from motcua.dvcqg.selectors import reconcile
from motcua.dvcqg.services import dossier_resync, outbox_drain
from motcua.testing.journeys import bulletin_submitted


def _national(running: Any, dossier: Dossier) -> dict[str, Any]:
    return running.portal.dossiers[dossier.code]


def _step(dossier: Dossier, user: Any) -> None:
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=user)


def test_every_transition_reaches_the_portal_with_its_national_code(
    national_portal,
    bulletin_version,
    citizen_an,
    clerk_binh,
    specialist_chi,
    leader_dung,
    clerical_em,
    settings,
) -> None:
    settings.MOTCUA_SIGN_RESULTS = False
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert outbox_drain().dossiers_sent == 1
    record = _national(national_portal, dossier)
    assert record["TrangThaiHoSo"] == 1
    assert record["MaTTHC"] == bulletin_version.procedure.national_code
    assert record["KenhThucHien"] == 2
    assert record["TaiKhoanDuocXacThucVoiVNeID"] == 0

    dossier = services.dossier_receive(dossier=dossier, clerk=clerk_binh)
    outbox_drain()
    record = _national(national_portal, dossier)
    assert record["TrangThaiHoSo"] == 4  # received, and the process started at once
    assert record["NgayTiepNhan"]
    assert record["NgayHenTra"]

    dossier = services.dossier_request_supplement(dossier=dossier, officer=specialist_chi, items=["Bản sao"])
    outbox_drain()
    assert _national(national_portal, dossier)["TrangThaiHoSo"] == 5

    services.dossier_supply(dossier=dossier, user=citizen_an, files={}, note="Đã nộp bản sao")
    outbox_drain()
    assert _national(national_portal, dossier)["TrangThaiHoSo"] == 4

    dossier.refresh_from_db()
    for user in (specialist_chi, leader_dung, clerical_em):
        _step(dossier, user)
    outbox_drain()
    dossier.refresh_from_db()
    record = _national(national_portal, dossier)
    assert record["TrangThaiHoSo"] == 9
    assert record["NgayKetThucXuLy"]

    services.dossier_return_result(dossier=dossier, clerk=clerk_binh, method="counter", recipient="An")
    outbox_drain()
    record = _national(national_portal, dossier)
    assert record["TrangThaiHoSo"] == 10
    assert record["NgayTra"]
    # One progress entry per timeline event, each once; nothing left in the outbox.
    entries = national_portal.portal.progress[dossier.code]
    assert len(entries) == dossier.events.count() == SentEvent.objects.count()
    assert len({e["MaTienDo"] for e in entries}) == len(entries)
    assert outbox_drain().events_sent == 0
    assert reconcile()["matched"] == 1


def test_an_outage_loses_nothing_and_reconciliation_then_resync_clear_the_differences(
    national_portal, bulletin_version, citizen_an, clerk_binh, specialist_chi
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    outbox_drain()
    national_portal.stop()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        dossier = services.dossier_receive(dossier=dossier, clerk=clerk_binh)
        report = outbox_drain()
        assert report.failed == 1
        assert report.events_sent == 0
        state = SyncState.objects.get(dossier=dossier)
        assert state.attempts == 1
        assert state.next_attempt_at > start
        assert state.last_error
        # Waiting for its back-off: a second run does not hammer the portal.
        assert outbox_drain().failed == 0
    national_portal.start()
    with time_machine.travel(start + dt.timedelta(seconds=1), tick=False):
        # Back, but the dossier still waits for its back-off: reconciliation shows the difference.
        result = reconcile()
        assert result["checked"] == 1
        assert result["different"] == 1
        assert result["missing"] == 0
        item = result["items"][0]
        assert item["code"] == dossier.code
        assert {"field": "TrangThaiHoSo", "ours": 4, "national": 1} in item["differences"]
        dossier_resync(code=dossier.code)
        assert reconcile()["matched"] == 1
        assert SyncState.objects.get(dossier=dossier).attempts == 0


def test_the_backlog_drains_after_the_back_off(
    national_portal, bulletin_version, citizen_an, clerk_binh
) -> None:
    national_portal.stop()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        dossiers = [bulletin_submitted(bulletin_version, citizen_an, f"Bản tin {n}") for n in range(3)]
        services.dossier_receive(dossier=dossiers[0], clerk=clerk_binh)
        assert outbox_drain().events_sent == 0
    national_portal.start()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        report = outbox_drain()
    assert report.dossiers_sent == 3
    assert report.failed == 0
    assert set(national_portal.portal.dossiers) == {d.code for d in dossiers}
    assert reconcile()["matched"] == 3


def test_a_dossier_never_sent_is_reported_missing(national_portal, bulletin_version, citizen_an) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    result = reconcile()
    assert result == {
        "checked": 1,
        "matched": 0,
        "different": 0,
        "missing": 1,
        "unreachable": 0,
        "items": [{"code": dossier.code, "state": "missing", "differences": []}],
    }
    json.dumps(result)


def test_a_dossier_the_portal_refuses_does_not_hold_back_the_others(
    national_portal, bulletin_version, citizen_an
) -> None:
    good = bulletin_submitted(bulletin_version, citizen_an)
    from motcua.testing.factories import ComponentFactory, ProcedureVersionFactory

    local_only = ProcedureVersionFactory(
        procedure__national_code="",
        competent_agency=bulletin_version.competent_agency,
        channels=bulletin_version.channels,
    )
    local_only.receiving_agencies.set(bulletin_version.receiving_agencies.all())
    ComponentFactory(version=local_only, name="Đơn", required=False)
    ComponentFactory(version=local_only, name="Tờ khai", required=False)
    bad = bulletin_submitted(local_only, citizen_an)
    report = outbox_drain()
    assert report.dossiers_sent == 1
    assert report.failed == 1
    assert "500" in report.errors[0]
    assert good.code in national_portal.portal.dossiers
    assert bad.code not in national_portal.portal.dossiers
    assert SyncState.objects.get(dossier=bad).attempts == 1


def test_the_iocs_fact_counts_a_dossier_as_synchronised_once_the_portal_has_it(
    national_portal, bulletin_version, citizen_an, django_capture_on_commit_callbacks
) -> None:
    from motcua.ioc.models import DossierFact

    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert DossierFact.objects.get(dossier=dossier).synced is False
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_drain().dossiers_sent == 1
    assert DossierFact.objects.get(dossier=dossier).synced is True
