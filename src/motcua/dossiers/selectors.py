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
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.accounts.models import AccountKind, Role
from motcua.accounts.selectors import agency_ids_for_user, user_roles_at
from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.dbrouter import read_only_alias
from motcua.core.errors import NotFoundError, PermissionDeniedError
from motcua.dossiers.codes import lookup_secret_normalise
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile, RatingCriterion, Task
from motcua.dossiers.personal_data import personal_data_reads

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import User

_NOT_FOUND = gettext_noop("Không tìm thấy hồ sơ.")


# Roles that read dossiers themselves. The IOC viewer monitors: it gets the aggregated statistics
# (``dossier_statistics``), never a dossier with its personal data (security review F6, PDPL 91/2025
# minimisation).
_DOSSIER_READING_ROLES = frozenset(Role.values) - {Role.IOC_VIEWER}


def officer_agency_ids(*, user: User | AnonymousUser) -> set[int]:
    """Agencies where the user holds an active role that reads dossiers, with their descendant units."""
    return agency_ids_for_user(user=user, roles=_DOSSIER_READING_ROLES)


def dossier_statistics(*, user: User | AnonymousUser) -> dict[str, Any]:
    """Counts by status and the on-time rate per competent agency, over the dossiers of the agencies
    where ``user`` holds any role (the IOC viewer included) — aggregates only, no personal data."""
    agency_ids = agency_ids_for_user(user=user)
    if not agency_ids:
        raise PermissionDeniedError(_("Chỉ cán bộ được xem số liệu thống kê."))
    # Aggregates that may lag a few seconds: the streaming replica when one is configured.
    scope = (
        Dossier.objects.using(read_only_alias())
        .filter(Q(receiving_agency_id__in=agency_ids) | Q(competent_agency_id__in=agency_ids))
        .exclude(status="draft")
    )
    by_status = dict(
        scope.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    finished = scope.filter(processing_finished_at__isnull=False, appointment_at__isnull=False)
    per_agency = (
        finished.order_by()
        .values("competent_agency__code", "competent_agency__name")
        .annotate(
            finished=Count("pk"),
            on_time=Count("pk", filter=Q(processing_finished_at__lte=F("appointment_at"))),
        )
        .order_by("competent_agency__code")
    )
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "agencies": [
            {
                "agency": row["competent_agency__code"],
                "name": row["competent_agency__name"],
                "finished": row["finished"],
                "on_time": row["on_time"],
                "on_time_rate": round(row["on_time"] / row["finished"], 4),
            }
            for row in per_agency
        ],
    }


def dossiers_for_officer(*, user: User | AnonymousUser) -> QuerySet[Dossier]:
    agency_ids = officer_agency_ids(user=user)
    if not agency_ids:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        Q(receiving_agency_id__in=agency_ids)
        | Q(helped_at_id__in=agency_ids)
        | Q(competent_agency_id__in=agency_ids)
        | Q(tasks__agency_id__in=agency_ids)
    ).distinct()


def dossier_get_for_officer(
    *, user: User, code: str, audit: bool = True, kind: str = "view", target: str = ""
) -> Dossier:
    dossier = (
        dossiers_for_officer(user=user)
        .filter(code=code)
        .select_related("procedure_version__procedure", "receiving_agency", "competent_agency")
        .first()
    )
    if dossier is None:
        raise NotFoundError(_(_NOT_FOUND), {"code": code})
    if audit:
        dossier_access_record(user=user, dossier=dossier, kind=kind, target=target)
    return dossier


def officer_agency_for(*, user: User, dossier: Dossier, role: str) -> Agency:
    """The agency in whose name ``user`` acts on ``dossier`` with ``role`` (receiving or helping centre)."""
    for agency in (dossier.receiving_agency, dossier.helped_at):
        if agency is not None and role in user_roles_at(user=user, agency=agency):
            return agency
    raise PermissionDeniedError(
        _("Bạn không có quyền tiếp nhận hồ sơ này."),
        {"code": dossier.code, "role": role},
    )


def dossiers_for_applicant(*, user: User) -> QuerySet[Dossier]:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return Dossier.objects.filter(applicant_user=user).select_related("procedure_version")


def dossier_get_for_applicant(*, user: User, code: str) -> Dossier:
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


# --- Access log (Law 91/2025/QH15, Decree 356/2025: every read and export of personal data) ----------


def _reader(user: User) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    name = getattr(user, "full_name", "") or user.get_full_name()
    return f"{user.get_username()} ({name})"[:300] if name else user.get_username()


def dossier_access_record(*, user: User, dossier: Dossier | None, kind: str, target: str = "") -> None:
    """One row of the access log; the dossier's code and the reader are copied so the row outlives both."""
    dossiers_access_record(
        user=user, dossiers=[dossier] if dossier is not None else [None], kind=kind, target=target
    )


def dossiers_access_record(
    *, user: User, dossiers: Iterable[Dossier | None], kind: str, target: str = ""
) -> None:
    """One row per dossier read at once (a register page, an export, an API list)."""
    from motcua.dossiers.models import DossierAccessLog

    now = clock.now()
    reader = _reader(user)
    account = user if getattr(user, "is_authenticated", False) else None
    dossiers = list(dossiers)
    DossierAccessLog.objects.bulk_create(
        DossierAccessLog(
            dossier=dossier,
            dossier_code=(dossier.code or "") if dossier is not None else "",
            user=account,
            reader=reader,
            at=now,
            kind=kind,
            target=target[:255],
        )
        for dossier in dossiers
    )
    # Staff reads are also the citizen's "who used my data" (the identity app, through this port).
    reads = personal_data_reads()
    if reads is not None and account is not None and account.kind == AccountKind.STAFF:
        read = [d for d in dossiers if d is not None]
        if read:
            reads.staff_reads_record(
                user=account, reader=reader, dossiers=read, kind=kind, target=target, at=now
            )


def dossier_get_for_reader(*, user: User, code: str, kind: str, target: str = "") -> tuple[Dossier, bool]:
    """The applicant's own dossier or one the staff member may read (then True), the read logged either
    way; anything else is NotFoundError, exactly like a dossier that does not exist."""
    dossier = dossiers_for_applicant(user=user).filter(code=code).first()
    if dossier is not None:
        dossier_access_record(user=user, dossier=dossier, kind=kind, target=target)
        return dossier, False
    return dossier_get_for_officer(user=user, code=code, kind=kind, target=target), True


def mask_identifier(value: str) -> str:
    """An ID number (or any query containing one) for a log: runs of 6+ digits keep their last 3."""
    import re

    return re.sub(r"\d{6,}", lambda m: "*" * (len(m.group()) - 3) + m.group()[-3:], value)


# --- Uploaded files -------------------------------------------------------------------------------


def officer_may_open_identity_documents(*, user: User, dossier: Dossier) -> bool:
    """Images of identity documents are sensitive data (Decree 356/2025 art. 4): of the staff who see the
    dossier, only the one-stop clerk who receives it and the specialist handling its appraisal open them
    (not the leader, the clerical officer or the IOC viewer)."""
    from motcua.dossiers.models import TaskStatus

    for agency in (dossier.receiving_agency, dossier.helped_at):
        if agency is not None and "one_stop_clerk" in user_roles_at(user=user, agency=agency):
            return True
    for task in dossier.tasks.filter(role="specialist").select_related("agency"):
        if task.assignee_id == user.pk:
            return True
        # A step nobody has taken yet: the specialists who may take it need to look first.
        if (
            task.status == TaskStatus.ACTIVE
            and task.assignee_id is None
            and "specialist" in user_roles_at(user=user, agency=task.agency)
        ):
            return True
    return False


def dossier_file_get(*, dossier: Dossier, file_id: int, as_officer: bool, user: User) -> DossierFile:
    """One uploaded file of a dossier the caller already holds through a permission-checked selector;
    identity documents only for the staff ``officer_may_open_identity_documents`` names."""
    from motcua.dossiers.sensitive import component_is_identity_document

    stored = (
        DossierFile.objects.filter(component__dossier=dossier, pk=file_id)
        .select_related("component__catalogue_component")
        .first()
    )
    if stored is None:
        raise NotFoundError(_NOT_FOUND_FILE, {"file": file_id})
    if (
        as_officer
        and component_is_identity_document(stored.component)
        and not officer_may_open_identity_documents(user=user, dossier=dossier)
    ):
        raise NotFoundError(_NOT_FOUND_FILE, {"file": file_id})
    return stored


_NOT_FOUND_FILE = "Không tìm thấy tệp."
