"""Every look-up of a person's data in a national database is recorded in the personal-data access log
(Law 91/2025/QH15, Decree 356/2025): who looked up whom, in which system, for what purpose.

CONTRACTS.md names ``identity.services.record_personal_data_access`` (helper h14) as that log. Until it is
merged the rows go to the dossiers' access log (``DossierAccessLog``, kind "api", the ID number masked in
its target); at merge this one function switches to the identity call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from motcua.core import clock
from motcua.dossiers.models import AccessKind, Dossier, DossierAccessLog
from motcua.dossiers.selectors import dossier_access_record

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
    if user is not None and getattr(user, "is_authenticated", False):
        dossier_access_record(user=user, dossier=dossier, kind=AccessKind.API, target=target)
        return
    DossierAccessLog.objects.create(
        dossier=dossier,
        dossier_code=(dossier.code or "") if dossier is not None else "",
        user=None,
        reader="system",
        at=clock.now(),
        kind=AccessKind.API,
        target=target[:255],
    )
