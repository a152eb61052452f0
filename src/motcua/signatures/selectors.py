"""Permission-checked reads of the signatures app, built on the dossier selectors.

Rules (each with a test in ``tests/test_forms.py``):
* the register extract (form 07) is for staff: the agency must be one where the user holds an active role
  (or one below it); any other agency, and any user without a role, looks like nothing exists (404);
* it lists only dossiers the user may read anyway (``dossiers_for_officer``) that this agency received,
  helped with or decides, by receipt time in Vietnam between the two dates (both included).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from motcua.accounts.selectors import staff_roles_active
from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.clock import VIETNAM_TZ
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_for_officer, officer_agency_ids
from motcua.dossiers.workflow import Action

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import User

MAX_REGISTER_DAYS = 366
MAX_REGISTER_ROWS = 2000
_NOT_FOUND = "Không tìm thấy cơ quan."  # msgid; translated where raised


def register_scope(
    *, user: User | AnonymousUser, agency_code: str, start: str, end: str
) -> tuple[Agency, dt.date, dt.date]:
    """The agency and the date range of a register extract, checked; dates default to this month so far."""
    agency_ids = officer_agency_ids(user=user)
    if not agency_ids:
        raise NotFoundError(_(_NOT_FOUND))
    agency: Agency | None
    if agency_code:
        agency = Agency.objects.filter(pk__in=agency_ids, code=agency_code).first()
    else:
        role = staff_roles_active(user).order_by("agency__code").first()
        agency = role.agency if role is not None else None
    if agency is None:
        raise NotFoundError(_(_NOT_FOUND), {"agency": agency_code})
    today = clock.local_today()
    try:
        first = dt.date.fromisoformat(start) if start else today.replace(day=1)
        last = dt.date.fromisoformat(end) if end else today
    except ValueError as exc:
        raise ApplicationError(_("Ngày không hợp lệ (YYYY-MM-DD)."), {"field": "from"}) from exc
    if last < first or (last - first).days >= MAX_REGISTER_DAYS:
        raise ApplicationError(
            _("ngày"),
            {"field": "to"},
        )
    return agency, first, last


def register_dossiers(
    *, user: User | AnonymousUser, agency: Agency, start: dt.date, end: dt.date
) -> list[Dossier]:
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=VIETNAM_TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VIETNAM_TZ)
    events = DossierEvent.objects.filter(action__in=[Action.START_PROCESSING, Action.RETURN_RESULT]).order_by(
        "at", "pk"
    )
    return list(
        dossiers_for_officer(user=user)
        .filter(Q(receiving_agency=agency) | Q(competent_agency=agency) | Q(helped_at=agency))
        .filter(received_at__gte=lo, received_at__lt=hi)
        .select_related("procedure_version", "competent_agency")
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("received_at", "pk")[:MAX_REGISTER_ROWS]
    )
