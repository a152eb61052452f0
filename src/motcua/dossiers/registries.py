"""The port through which dossiers reach the national systems: the population and business registers
(check the applicant, pre-fill the form) and the public postal service (pick-up and delivery orders).
``dossiers`` owns this interface; the ``national`` app, above it, registers the implementation in
``NationalConfig.ready`` (like ``paperwork.py``), so ``dossiers`` never imports it.

Contract of every implementation (RFC 2119):

* ``applicant_check`` MUST NOT raise for the national system's state (down, slow, garbage): it answers
  ``status="unavailable"`` with a message for the clerk, and intake carries on. It MUST record the look-up
  in the personal-data access log with its purpose. ``prefill`` MUST be empty unless ``status="found"``.
* ``post_order_request`` MUST run inside the caller's transaction and only write an outbox row there: the
  order goes out after commit, with retries, so a postal system that is down never blocks the action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.agencies.models import Agency
    from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class ApplicantCheck:
    # "found", "not_found", "mismatch", "unavailable", or "skipped" (no national system connected).
    status: str
    message: str
    system: str = ""
    # Form field name → value from the register (applicant_name, applicant_address); only when found.
    prefill: dict[str, str] = field(default_factory=dict)


class Registries(Protocol):
    def applicant_check(
        self,
        *,
        kind: str,
        id_number: str,
        name: str,
        birth_date: dt.date | None,
        purpose: str,
        actor: User | None,
        dossier: Dossier | None = None,
    ) -> ApplicantCheck:
        """Check a citizen (``kind="citizen"``) or a business applicant against the national register."""
        ...

    def post_order_request(self, *, dossier: Dossier, kind: str, actor: User | None) -> None:
        """Queue a postal order for the dossier: ``"pickup"`` (the applicant's paper dossier to the
        receiving unit) or ``"delivery"`` (the result to the applicant)."""
        ...

    def post_tracking(self, *, dossier: Dossier) -> list[dict[str, Any]]:
        """The dossier's postal orders with their tracking, newest first (for the dossier pages)."""
        ...


class _NoRegistries:
    def applicant_check(self, **kwargs: Any) -> ApplicantCheck:
        return ApplicantCheck("skipped", _("Chưa kết nối cơ sở dữ liệu quốc gia."))

    def post_order_request(self, **kwargs: Any) -> None:
        return None

    def post_tracking(self, **kwargs: Any) -> list[dict[str, Any]]:
        return []


_registries: Registries = _NoRegistries()


def registries_set(implementation: Registries) -> None:
    global _registries
    _registries = implementation


def registries() -> Registries:
    return _registries


def dossier_post_pickup_request(*, dossier: Dossier, actor: User | None) -> None:
    """The applicant asks the postal service to collect their paper dossier and bring it to the
    receiving unit (a pick-up order, queued in the outbox)."""
    from django.db import transaction

    with transaction.atomic():
        registries().post_order_request(dossier=dossier, kind="pickup", actor=actor)


def dossier_applicant_verify(
    *, dossier: Dossier, actor: User | None, actor_role: str, actor_agency: Agency | None
) -> ApplicantCheck:
    """Check the applicant of a dossier just submitted or received, and put the outcome on its timeline
    (an event that changes no state). Called after the intake transaction: a slow national system never
    holds it, and its failure never undoes the intake."""
    from motcua.dossiers.events import dossier_event_record
    from motcua.dossiers.workflow import TimelineAction

    check = registries().applicant_check(
        kind=dossier.applicant_kind,
        id_number=dossier.applicant_id_number,
        name=dossier.applicant_name,
        birth_date=None,
        purpose=f"HS:{dossier.code}",
        actor=actor,
        dossier=dossier,
    )
    if check.status != "skipped":
        dossier_event_record(
            dossier=dossier,
            action=TimelineAction.APPLICANT_CHECK,
            actor=actor,
            actor_role=actor_role,
            actor_agency=actor_agency,
            from_status=dossier.status,
            to_status=dossier.status,
            reason=check.message,
            data={"status": check.status, "system": check.system},
        )
    return check
