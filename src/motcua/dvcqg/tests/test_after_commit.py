"""The outbox is drained by a background task queued after the commit that wrote timeline events: once
per transaction, never before the commit (a rolled-back change sends nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from motcua.dossiers import services
from motcua.dvcqg.services import _drain_after_commit
from motcua.dvcqg.tests.conftest import RunningPortal
from motcua.testing.journeys import bulletin_submitted


def test_a_commit_with_events_queues_a_drain_that_sends_them(
    national_portal: RunningPortal,
    bulletin_version,
    citizen_an,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MOTCUA_DVCQG_SYNC = True
    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert national_portal.portal.dossiers[dossier.code]["TrangThaiHoSo"] == 1


def test_one_drain_per_transaction_whatever_the_number_of_events(
    national_portal: RunningPortal,
    bulletin_version,
    citizen_an,
    clerk_binh,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)  # sync off: not sent
    settings.MOTCUA_DVCQG_SYNC = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.dossier_receive(dossier=dossier, clerk=clerk_binh)  # receive + start: two events
    assert [c for c in callbacks if c is _drain_after_commit] == [_drain_after_commit]
    assert national_portal.portal.dossiers[dossier.code]["TrangThaiHoSo"] == 4
    assert len(national_portal.portal.progress[dossier.code]) == dossier.events.count() == 3


def test_a_rolled_back_change_sends_nothing(
    national_portal: RunningPortal,
    bulletin_version,
    citizen_an,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MOTCUA_DVCQG_SYNC = True

    def submit_and_fail() -> None:
        with transaction.atomic():
            bulletin_submitted(bulletin_version, citizen_an)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        submit_and_fail()
    assert callbacks == []
    assert national_portal.portal.dossiers == {}


@pytest.mark.django_db(transaction=True)
def test_a_drain_waiting_in_the_queue_is_not_queued_again(
    bulletin_version, citizen_an, clerk_binh, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MOTCUA_DVCQG_SYNC = True
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    services.dossier_receive(dossier=dossier, clerk=clerk_binh)  # a second commit with events
    drains = DBTaskResult.objects.filter(task_path="motcua.dvcqg.tasks.dvcqg_outbox_drain_task")
    assert drains.count() == 1
