"""Permission-checked reads of dossiers. Views and APIs never fetch a dossier any other way.

Rules (one per line, each with a test):
* an applicant sees the dossiers they submitted (``applicant_user``), nothing else;
* the public sees a status summary only with the code plus a second factor: the dossier's look-up secret
  printed on the receipt (dossiers created before it existed: the last 4 digits of the phone or ID number);
* a staff member sees a dossier when one of their active roles is held at (or above) the receiving
  agency, the agency where the applicant was helped, the competent agency, or the agency of one of its
  tasks (consultations included);
* anything else looks exactly like a dossier that does not exist (404), so codes cannot be probed.
"""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.accounts.selectors import agency_ids_for_user, user_roles_at
from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.dossiers.codes import lookup_secret_normalise
from motcua.dossiers.models import Dossier, DossierEvent, RatingCriterion, Task

_NOT_FOUND = gettext_noop("Không tìm thấy hồ sơ.")


def officer_agency_ids(*, user: Any) -> set[int]:
    """Agencies where the user holds any active role, with all their descendant units."""
    return agency_ids_for_user(user=user)


def dossiers_for_officer(*, user: Any) -> QuerySet[Dossier]:
    agency_ids = officer_agency_ids(user=user)
    if not agency_ids:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        Q(receiving_agency_id__in=agency_ids)
        | Q(helped_at_id__in=agency_ids)
        | Q(competent_agency_id__in=agency_ids)
        | Q(tasks__agency_id__in=agency_ids)
    ).distinct()


def dossier_get_for_officer(*, user: Any, code: str, audit: bool = True) -> Dossier:
    dossier = (
        dossiers_for_officer(user=user)
        .filter(code=code)
        .select_related("procedure_version__procedure", "receiving_agency", "competent_agency")
        .first()
    )
    if dossier is None:
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    if audit:
        from motcua.dossiers.models import DossierAccessLog

        DossierAccessLog.objects.create(dossier=dossier, user=user, at=clock.now())
    return dossier


def officer_agency_for(*, user: Any, dossier: Dossier, role: str) -> Agency:
    """The agency in whose name ``user`` acts on ``dossier`` with ``role`` (receiving or helping centre)."""
    for agency in (dossier.receiving_agency, dossier.helped_at):
        if agency is not None and role in user_roles_at(user=user, agency=agency):
            return agency
    raise PermissionDeniedError(
        _("Bạn không có quyền tiếp nhận hồ sơ này."),
        {"code": dossier.code, "role": role},
    )


def dossiers_for_applicant(*, user: Any) -> QuerySet[Dossier]:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return Dossier.objects.filter(applicant_user=user).select_related("procedure_version")


def dossier_get_for_applicant(*, user: Any, code: str) -> Dossier:
    dossier = dossiers_for_applicant(user=user).filter(code=code).first()
    if dossier is None:
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    return dossier


def _public_status_sql() -> str:
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers.status import PLAIN_WORDS

    placeholders = ", ".join(["%s"] * len(PLAIN_WORDS))
    return (
        "SELECT d.code, d.status, d.applicant_phone, d.applicant_id_number, d.received_at, "  # noqa: S608
        "d.appointment_at, d.returned_at, v.name, e.action, e.at, d.lookup_secret "
        f"FROM {Dossier._meta.db_table} d "
        f"JOIN {ProcedureVersion._meta.db_table} v ON v.id = d.procedure_version_id "
        f"LEFT JOIN {DossierEvent._meta.db_table} e ON e.dossier_id = d.id AND e.action IN ({placeholders}) "
        "WHERE d.code = %s ORDER BY e.at, e.id"
    )


def _aware(value: Any) -> Any:
    """Raw SQLite rows hold naive UTC datetimes (or text); PostgreSQL's are already aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def dossier_status_public_lookup(*, code: str, second_factor: str) -> dict[str, Any]:
    """The public status of a dossier (code + second factor), in one round trip to the database.

    The same summary as ``status.dossier_status_public`` builds from a dossier; this is the
    busiest read of the whole system (citizens, the national portal, SMS bots), so it skips the ORM."""
    from motcua.dossiers.status import PLAIN_WORDS, public_status_summary

    if len(second_factor) > 64:
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    with connection.cursor() as cursor:
        cursor.execute(_public_status_sql(), [*PLAIN_WORDS, code.strip()])
        rows = cursor.fetchall()
    if not rows:
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    first = rows[0]
    if not second_factor_matches(given=second_factor, secret=first[10], phone=first[2], id_number=first[3]):
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    return public_status_summary(
        code=first[0],
        status=first[1],
        received_at=_aware(first[4]),
        appointment_at=_aware(first[5]),
        returned_at=_aware(first[6]),
        procedure_name=first[7],
        events=[(row[8], _aware(row[9])) for row in rows if row[8] is not None],
    )


def second_factor_matches(*, given: str, secret: str, phone: str, id_number: str) -> bool:
    """The look-up secret when the dossier has one (compared in constant time); only dossiers created
    before the secret existed fall back to the last 4 digits of the phone or ID number."""
    if secret:
        return hmac.compare_digest(lookup_secret_normalise(given).encode(), secret.encode())
    digits = "".join(ch for ch in given if ch.isdigit())
    return len(digits) >= 4 and any(c and c.endswith(digits[-4:]) for c in (phone, id_number))


def dossier_timeline(*, dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "actor_agency").order_by("at", "pk")


def rating_criteria_in_force() -> list[RatingCriterion]:
    """The satisfaction criteria in force today: the rating form shows them, the service requires them."""
    today = clock.local_today()
    return list(RatingCriterion.objects.filter(valid_from__lte=today).exclude(valid_to__lt=today))


def task_of_dossier(*, dossier: Dossier, task_id: Any) -> Task:
    """A step of a dossier the caller already sees; an unknown (or malformed) id is "not found"."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        pk = 0
    task = dossier.tasks.filter(pk=pk).first()
    if task is None:
        raise NotFoundError(_("Không tìm thấy bước xử lý."), {"task": str(task_id)})
    return task
