"""A dossier's fact row is marked stale in the transaction that changed the dossier and rebuilt by the drain
after the commit: the request that changed it (a payment notification, a clerk's click) neither runs the
IOC's fifteen queries nor writes a task row of its own (docs/payments.md, IPN throughput), and the mark
commits or rolls back with the change itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services
from motcua.dossiers.changes import dossier_changed
from motcua.ioc import facts
from motcua.ioc.models import DossierFact, FactStale
from motcua.testing.journeys import bulletin_submitted

DRAIN = "motcua.ioc.tasks.ioc_facts_drain_task"


def _worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_fact_is_rebuilt_by_the_drain_after_the_commit_that_marked_it(
    bulletin_version: Any, citizen_an: Any, clerk_binh: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MOTCUA_DRAIN_WAKE_SECONDS = 0  # a drain per commit, due at once: the worker below runs it
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert not DossierFact.objects.filter(dossier=dossier).exists()  # not in the request
    assert FactStale.objects.get().dossier_id == dossier.pk
    assert DBTaskResult.objects.filter(task_path=DRAIN).count() == 1
    _worker()
    assert DossierFact.objects.get(dossier=dossier).national_status == 1
    assert not FactStale.objects.exists()

    services.dossier_receive(dossier=dossier, clerk=clerk_binh)  # two events in one transaction
    assert FactStale.objects.get().version == 2  # marked twice
    assert DBTaskResult.objects.filter(task_path=DRAIN, status="READY").count() == 1  # woken once
    assert DossierFact.objects.get(dossier=dossier).national_status == 1  # still the old row
    _worker()
    assert DossierFact.objects.get(dossier=dossier).national_status == 4
    assert not FactStale.objects.exists()


def test_with_the_immediate_backend_the_fact_follows_at_once(
    bulletin_version: Any, citizen_an: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert DossierFact.objects.get(dossier=dossier).national_status == 1


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_leaves_no_mark(bulletin_version: Any, citizen_an: Any) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    facts.facts_refresh_stale()
    assert not FactStale.objects.exists()

    def change_then_fail() -> None:
        with transaction.atomic():
            dossier_changed(dossier.pk)
            assert FactStale.objects.filter(dossier_id=dossier.pk).exists()
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not FactStale.objects.exists()


def test_a_fact_whose_drain_cannot_be_queued_is_rebuilt_by_the_next_run(
    bulletin_version: Any,
    citizen_an: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    caplog: Any,
) -> None:
    from motcua.ioc.tasks import ioc_facts_drain_task

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(type(ioc_facts_drain_task), "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)  # the change itself stands
    assert "scheduler" in caplog.text
    assert not DossierFact.objects.filter(dossier=dossier).exists()
    assert FactStale.objects.filter(dossier_id=dossier.pk).exists()  # the mark waits, durably
    monkeypatch.undo()
    assert facts.facts_refresh_stale() == 1  # the scheduler's run
    assert DossierFact.objects.get(dossier=dossier).national_status == 1
    assert not FactStale.objects.exists()


def test_a_change_made_while_the_drain_rebuilds_keeps_its_mark(
    bulletin_version: Any, citizen_an: Any, monkeypatch: Any
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert FactStale.objects.get().dossier_id == dossier.pk
    rebuild = facts.fact_refresh_by_id

    def rebuild_while_it_changes(dossier_id: int) -> None:
        rebuild(dossier_id)
        facts.fact_mark_stale(dossier_id)  # another transaction's change, after the drain read the dossier

    monkeypatch.setattr(facts, "fact_refresh_by_id", rebuild_while_it_changes)
    assert facts.facts_refresh_stale() == 1
    assert FactStale.objects.get().version == 2  # kept: the row may miss that change
    monkeypatch.undo()
    assert facts.facts_refresh_stale() == 1
    assert not FactStale.objects.exists()


@pytest.mark.django_db
def test_a_mark_of_a_dossier_deleted_since_is_dropped() -> None:
    facts.fact_mark_stale(987654)
    assert facts.facts_refresh_stale() == 1
    assert not FactStale.objects.exists()
