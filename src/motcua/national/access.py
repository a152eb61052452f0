"""Every look-up of a person's data in a national database is recorded in the personal-data access log
(Law 91/2025/QH15, Decree 356/2025): who looked up whom, in which system, for what purpose.

Two rows: the citizen's own record (``identity.services.record_personal_data_access``, kind
``national_db``: what "who used my data" shows them) and, for the staff audit, the dossiers' access log
(kind "api", the ID number masked in its target). Written directly, not through the staff-read port, so a
look-up is one processing in the citizen's list, not two."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.core import clock
from motcua.dossiers.models import AccessKind, Dossier, DossierAccessLog
from motcua.identity.models import AccessorKind
from motcua.identity.services import record_personal_data_access

if TYPE_CHECKING:
    from motcua.accounts.models import User


def mask_id(value: str) -> str:
    return f"{value[:3]}******{value[-3:]}" if len(value) >= 9 else "***"


def national_access_record(
    *,
    subject_id_number: str,
    system: str,
    data: str,
    purpose: str,
    user: User | None,
    dossier: Dossier | None = None,
) -> None:
    target = f"{system} {mask_id(subject_id_number)}: {data} — {purpose}"
    account = user if user is not None and getattr(user, "is_authenticated", False) else None
    who = f"{account.get_username()} ({account.full_name})" if account is not None else "system"
    DossierAccessLog.objects.create(
        dossier=dossier,
        dossier_code=(dossier.code or "") if dossier is not None else "",
        user=account,
        reader=who[:300],
        at=clock.now(),
        kind=AccessKind.API,
        target=target[:255],
    )
    record_personal_data_access(
        subject_id_number=subject_id_number,
        accessor_kind=AccessorKind.NATIONAL_DB,
        accessor=f"{system} — {who}",
        data=data,
        purpose=purpose,
        user=account,
    )
