"""Lateness: the periodic scan that flags steps and dossiers due soon or overdue, and the national
on-time rule for a dossier (Decision 766 indicator 2.1, domain-vn.md §1.7)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from motcua.core import clock
from motcua.dossiers.models import Dossier, Task, TaskStatus
from motcua.dossiers.workflow import CLOCK_PAUSED_STATES, TERMINAL_STATES, DossierStatus, TimelineAction

DUE_SOON = dt.timedelta(hours=24)
_OPEN_STATES = [
    s
    for s in DossierStatus.values
    if s not in TERMINAL_STATES
    and s
    not in (
        DossierStatus.DRAFT,
        DossierStatus.SUBMITTED,
        DossierStatus.INTAKE_SUPPLEMENT,
        DossierStatus.ISSUED,
        DossierStatus.REFUSED,
    )
]


def deadlines_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag active steps and open dossiers as due soon or overdue; clear flags that no longer apply."""
    now = now or clock.now()
    soon = now + DUE_SOON
    active = Task.objects.filter(status=TaskStatus.ACTIVE).exclude(due_at=None)
    overdue_tasks = active.filter(due_at__lt=now).update(lateness="overdue")
    soon_tasks = active.filter(due_at__gte=now, due_at__lt=soon).update(lateness="due_soon")
    active.filter(due_at__gte=soon).exclude(lateness="").update(lateness="")
    running = (
        Dossier.objects.filter(status__in=_OPEN_STATES)
        .exclude(appointment_at=None)
        .exclude(status__in=list(CLOCK_PAUSED_STATES))
    )
    overdue = running.filter(appointment_at__lt=now).update(lateness="overdue")
    due_soon = running.filter(appointment_at__gte=now, appointment_at__lt=soon).update(lateness="due_soon")
    Dossier.objects.filter(Q(appointment_at__gte=soon) | Q(status__in=list(TERMINAL_STATES))).exclude(
        lateness=""
    ).update(lateness="")
    return {
        "tasks_overdue": overdue_tasks,
        "tasks_due_soon": soon_tasks,
        "dossiers_overdue": overdue,
        "dossiers_due_soon": due_soon,
    }


def national_timeliness(dossier: Dossier, *, now: dt.datetime | None = None) -> str:
    """ "early" / "on_time" / "late" for finished dossiers, "in_time" / "overdue" for those in progress.

    * a second supplement request makes the dossier late;
    * while waiting for the applicant, the request time counts as the end;
    * the reference is the appointment adjusted for supplement pauses, never the apology's new date.
    """
    from motcua.dossiers.deadlines import outcome

    now = now or clock.now()
    due = dossier.original_appointment_at or dossier.appointment_at
    if dossier.received_at is None or due is None:
        return ""
    if dossier.supplement_requests > 1:
        return "late"
    if dossier.status == DossierStatus.AWAITING_SUPPLEMENT:
        event = dossier.events.filter(action=TimelineAction.REQUEST_SUPPLEMENT).order_by("-at").first()
        end = event.at if event else now
        return outcome(finished_at=end, due_at=due) if end else ""
    if dossier.processing_finished_at is not None:
        return outcome(finished_at=dossier.processing_finished_at, due_at=due)
    return "overdue" if now > due else "in_time"
