"""Inboxes per role and agency: mine, my unit, due soon, overdue (all through the access selectors)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from motcua.accounts.models import StaffRole, User
from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier, Task, TaskStatus
from motcua.dossiers.selectors import officer_agency_ids

BOXES = ("mine", "unit", "due_soon", "overdue", "intake")
DUE_SOON = dt.timedelta(days=1)


def inbox_tasks(*, user: User, box: str) -> QuerySet[Task]:
    if box not in BOXES:
        raise ApplicationError(
            "Hộp công việc không hợp lệ / Unknown inbox.", {"field": "box", "allowed": BOXES}
        )
    agency_ids = officer_agency_ids(user=user)
    roles = set(
        StaffRole.objects.active_on(clock.local_today()).filter(user=user).values_list("role", flat=True)
    )
    qs = Task.objects.filter(status=TaskStatus.ACTIVE, agency_id__in=agency_ids, role__in=roles)
    now = clock.now()
    if box == "mine":
        qs = qs.filter(assignee=user)
    elif box == "due_soon":
        qs = qs.filter(due_at__gte=now, due_at__lte=now + DUE_SOON)
    elif box == "overdue":
        qs = qs.filter(due_at__lt=now)
    return qs.select_related(
        "dossier__procedure_version__procedure",
        "dossier__receiving_agency",
        "dossier__competent_agency",
        "agency",
        "assignee",
    ).order_by("due_at", "pk")


def inbox_dossiers(*, user: User, box: str) -> QuerySet[Dossier]:
    if box == "intake":
        from motcua.dossiers.selectors import dossiers_for_officer
        from motcua.dossiers.workflow import DossierStatus

        return (
            dossiers_for_officer(user=user)
            .filter(status__in=[DossierStatus.SUBMITTED, DossierStatus.INTAKE_SUPPLEMENT])
            .select_related("procedure_version__procedure", "receiving_agency", "competent_agency")
        )
    task_ids = inbox_tasks(user=user, box=box).values("dossier_id")
    return (
        Dossier.objects.filter(pk__in=task_ids)
        .select_related("procedure_version__procedure", "receiving_agency", "competent_agency")
        .order_by("appointment_at")
    )


def inbox_counts(*, user: User) -> dict[str, int]:
    """How many items each box of the desk holds, for the tabs (a clerk sees at a glance where work is)."""
    counts = {box: inbox_tasks(user=user, box=box).count() for box in BOXES if box != "intake"}
    counts["intake"] = inbox_dossiers(user=user, box="intake").count()
    return counts


def inbox_default_box(counts: dict[str, int]) -> str:
    """The box the desk opens on: what waits for intake, then my own steps, then my unit's."""
    for box in ("intake", "mine"):
        if counts.get(box):
            return box
    return "unit"
