"""The one way a dossier changes state, shared by the services (intake, pauses, closing) and the internal
process (``processing``): check the workflow table, move the legal clock when the table says the
transition pauses or resumes it, save, write the timeline event and queue the applicant's notification.

Also the look-ups every action starts with: who acts, in which role, at which agency."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from motcua.accounts.selectors import user_roles_at
from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.errors import ConflictError, PermissionDeniedError
from motcua.dossiers import deadlines
from motcua.dossiers.events import dossier_event_record
from motcua.dossiers.models import Dossier, Task, TaskStatus
from motcua.dossiers.notify import dossier_notify
from motcua.dossiers.selectors import officer_agency_for
from motcua.dossiers.workflow import TRANSITIONS, Actor, Transition, transition_for

if TYPE_CHECKING:
    from motcua.accounts.models import User


def dossier_transition(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    actor_role: str,
    actor_agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Dossier:
    """Move ``dossier`` along the workflow table (``TransitionNotAllowed`` when the table forbids it).

    A transition flagged ``pauses_clock`` keeps the working time left until the appointment; one flagged
    ``resumes_clock`` gives it back from now on (the event's data carries the new appointment) and moves
    the active steps' due times by the pause. The rule is written here once, for every pause."""
    transition = transition_for(action, dossier.status, actor_role)
    from_status = dossier.status
    fields = ["status", "updated_at"]
    if transition.pauses_clock:
        fields += _clock_pause(dossier)
    if transition.resumes_clock:
        fields += _clock_resume(dossier, transition)
        data = {**(data or {}), "appointment_at": dossier.appointment_at.isoformat()}  # type: ignore[union-attr]
    dossier.status = transition.target
    dossier.save(update_fields=fields)
    return dossier_transition_recorded(
        dossier=dossier,
        action=action,
        from_status=from_status,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        reason=reason,
        data=data,
    )


def dossier_transition_recorded(
    *,
    dossier: Dossier,
    action: str,
    from_status: str,
    actor: User | None,
    actor_role: str,
    actor_agency: Agency | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Dossier:
    """The second half of a transition, for a dossier already saved in its new status: the timeline
    event and the notification (sent after commit)."""
    dossier_event_record(
        dossier=dossier,
        action=action,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        from_status=from_status,
        to_status=dossier.status,
        reason=reason,
        data=data,
    )
    dossier_notify(dossier=dossier, action=action, reason=reason)
    return dossier


def _clock_pause(dossier: Dossier) -> list[str]:
    assert dossier.appointment_at is not None
    dossier.paused_remaining_minutes = deadlines.minutes_left(
        agency=dossier.receiving_agency, now=clock.now(), due_at=dossier.appointment_at
    )
    return ["paused_remaining_minutes"]


def _pausing_actions(paused_status: str) -> list[str]:
    return [t.action for t in TRANSITIONS if t.pauses_clock and t.target == paused_status]


def _clock_resume(dossier: Dossier, transition: Transition) -> list[str]:
    now = clock.now()
    paused_at = pause_started_at(dossier)
    dossier.appointment_at = deadlines.resume_with_remaining(
        agency=dossier.receiving_agency,
        resumed_at=now,
        remaining_minutes=dossier.paused_remaining_minutes or 0,
    )
    dossier.paused_remaining_minutes = None
    tasks_shift_for_pause(dossier=dossier, paused_at=paused_at, resumed_at=now)
    return ["appointment_at", "paused_remaining_minutes"]


def pause_started_at(dossier: Dossier) -> dt.datetime | None:
    """When the clock stopped for the pause ``dossier`` is in now (the latest pausing event)."""
    event = dossier.events.filter(action__in=_pausing_actions(dossier.status)).order_by("-at", "-pk").first()
    return event.at if event is not None else None


def tasks_shift_for_pause(
    *, dossier: Dossier, paused_at: dt.datetime | None, resumed_at: dt.datetime
) -> None:
    """Active steps keep the working time they had left when the clock stopped."""
    for task in dossier.tasks.filter(status=TaskStatus.ACTIVE).exclude(due_at=None):
        assert task.due_at is not None
        task.due_at = deadlines.resume_due(
            agency=task.agency, due_at=task.due_at, paused_at=paused_at, resumed_at=resumed_at
        )
        task.save(update_fields=["due_at"])


def last_event_at(dossier: Dossier, action: str) -> dt.datetime | None:
    event = dossier.events.filter(action=action).order_by("-at", "-pk").first()
    return event.at if event is not None else None


def require_clerk_at(dossier: Dossier, clerk: User) -> Agency:
    """The clerk must hold the one-stop role at the receiving agency (or at the centre where they help)."""
    return officer_agency_for(user=clerk, dossier=dossier, role=Actor.ONE_STOP_CLERK)


def applicant_or_clerk(dossier: Dossier, user: User) -> tuple[str, Agency | None]:
    """The role in which ``user`` acts for the applicant: the applicant themself, or a one-stop clerk."""
    if dossier.applicant_user_id is not None and getattr(user, "pk", None) == dossier.applicant_user_id:
        return Actor.APPLICANT, None
    return Actor.ONE_STOP_CLERK, require_clerk_at(dossier, user)


def active_task_for(dossier: Dossier, user: User, roles: set[str]) -> Task:
    """The active (non-consultation) step of ``dossier`` that ``user`` may act on in one of ``roles``."""
    for task in dossier.tasks.filter(status=TaskStatus.ACTIVE, is_consultation=False).select_related(
        "agency"
    ):
        if task.role in roles and task.role in user_roles_at(user=user, agency=task.agency):
            return task
    for task in dossier.tasks.filter(
        status__in=[TaskStatus.DONE, TaskStatus.CANCELLED], is_consultation=False, role__in=roles
    ).select_related("agency"):
        if task.role in user_roles_at(user=user, agency=task.agency):
            # The user's step was finished by someone (or something) else first: a conflict, not a refusal.
            raise ConflictError(
                _("Bước xử lý của bạn đã được thực hiện hoặc hồ sơ đã chuyển trạng thái."),
                {"dossier": dossier.code},
            )
    raise PermissionDeniedError(
        _("Bạn không có bước nào đang xử lý trong hồ sơ này."),
        {"dossier": dossier.code},
    )
