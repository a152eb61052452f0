"""A dossier's fact row is rebuilt by the worker after the commit that changed the dossier, once per dossier
per transaction: the request that changed it (a payment notification, a clerk's click) does not run the
IOC's fifteen queries itself (docs/payments.md, IPN throughput)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services
from motcua.ioc.models import DossierFact
from motcua.testing.journeys import bulletin_submitted

TASK = "motcua.ioc.tasks.ioc_fact_refresh_task"


@pytest.mark.django_db(transaction=True)
def test_the_fact_is_rebuilt_by_the_worker_once_per_dossier_per_transaction(
    bulletin_version: Any, citizen_an: Any, clerk_binh: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert not DossierFact.objects.filter(dossier=dossier).exists()  # not in the request
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)
    assert DossierFact.objects.get(dossier=dossier).national_status == 1

    services.dossier_receive(dossier=dossier, clerk=clerk_binh)  # two events in one transaction
    assert DBTaskResult.objects.filter(task_path=TASK, status="READY").count() == 1
    assert DossierFact.objects.get(dossier=dossier).national_status == 1  # still the old row
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)
    assert DossierFact.objects.get(dossier=dossier).national_status == 4


def test_with_the_immediate_backend_the_fact_follows_at_once(
    bulletin_version: Any, citizen_an: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert DossierFact.objects.get(dossier=dossier).national_status == 1


def test_a_fact_whose_task_cannot_be_queued_is_rebuilt_in_place(
    bulletin_version: Any, citizen_an: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from motcua.ioc.tasks import ioc_fact_refresh_task

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr(type(ioc_fact_refresh_task), "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = bulletin_submitted(bulletin_version, citizen_an)
    assert DossierFact.objects.get(dossier=dossier).national_status == 1
