"""The timeline: every state change of a dossier writes one event (who, role, agency, when, from, to, why)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.dossiers.changes import dossier_changed
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.workflow import TimelineAction

if TYPE_CHECKING:
    from motcua.accounts.models import User


def dossier_event_record(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    actor_role: str,
    actor_agency: Agency | None,
    from_status: str,
    to_status: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    event = dossier_event_build(
        dossier=dossier,
        action=action,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )
    return dossier_event_save(event)


def dossier_event_save(event: DossierEvent) -> DossierEvent:
    """Save an event built by ``dossier_event_build`` and tell the listeners (``dossier_event_record``)."""
    event.save(force_insert=True)
    events_written()
    dossier_changed(event.dossier_id)
    return event


# A port for the apps above: each hook is called, inside the writer's transaction, whenever timeline
# events were written (the DVCQG outbox queues its drain for after the commit: dvcqg.apps).
_written_hooks: list[Callable[[], None]] = []


def events_written_hook_add(hook: Callable[[], None]) -> None:
    if hook not in _written_hooks:
        _written_hooks.append(hook)


def events_written() -> None:
    for hook in _written_hooks:
        hook()


def dossier_event_build(
    *,
    dossier: Dossier,
    action: str,
    actor: User | None,
    actor_role: str,
    actor_agency: Agency | None,
    from_status: str,
    to_status: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """The event, not yet saved (``dossier_event_record`` saves it)."""
    return DossierEvent(
        dossier=dossier,
        action=TimelineAction(action).value,  # ValueError for a name outside the one enumeration
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_role=actor_role,
        actor_agency=actor_agency,
        at=clock.now(),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
