"""Writes of the identity app. ``record_personal_data_access`` is the one entry point every app uses to
record a processing of a citizen's personal data (CONTRACTS.md): staff reads come in through the
``dossiers.personal_data`` port, national-database look-ups and gateway reads call it directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from motcua.core import clock
from motcua.identity.models import AccessorKind, PersonalDataAccess

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier


def _clip(value: str, field: str) -> str:
    limit = getattr(PersonalDataAccess._meta.get_field(field), "max_length", None) or 300
    return value[:limit]


def record_personal_data_access(
    *,
    subject_id_number: str,
    accessor_kind: str,
    accessor: str,
    data: str,
    purpose: str,
    user: User | None = None,
) -> PersonalDataAccess:
    """Record that ``accessor`` (a staff member, another system, a national-database look-up) processed
    ``data`` of the citizen ``subject_id_number`` for ``purpose`` (a dossier code "HS:<code>" or a legal
    basis). Runs in the caller's transaction; the citizen sees it on "who used my data"."""
    if accessor_kind not in AccessorKind.values:
        raise ValueError(f"unknown accessor_kind {accessor_kind!r}")
    return PersonalDataAccess.objects.create(
        subject_id_number=subject_id_number.strip(),
        at=clock.now(),
        accessor_kind=accessor_kind,
        accessor=_clip(accessor, "accessor"),
        user=user if getattr(user, "is_authenticated", False) else None,
        data=_clip(data, "data"),
        purpose=_clip(purpose, "purpose"),
    )


# What a staff read of a dossier touched, by the dossier access log's kind.
_READ_DATA = {
    "view": "Hồ sơ: thông tin chủ hồ sơ, thành phần hồ sơ",
    "file": "Tệp đính kèm hồ sơ",
    "pdf": "Văn bản PDF của hồ sơ",
    "export": "Danh sách hồ sơ (trích xuất)",
    "api": "Hồ sơ (đọc qua API)",
    "action": "Hồ sơ (thao tác xử lý)",
    "admin_search": "Hồ sơ (tìm kiếm trong trang quản trị)",
}


class DossierReadsToAccessRecord:
    """The ``dossiers.personal_data`` port: each staff read of a dossier is one row per person whose
    data the dossier holds (the applicant, and the submitter acting for them)."""

    def staff_reads_record(
        self,
        *,
        user: User,
        reader: str,
        dossiers: Sequence[Dossier],
        kind: str,
        target: str,
        at: dt.datetime,
    ) -> None:
        what = _READ_DATA.get(kind, kind)
        if target:
            what = f"{what} — {target}"
        rows = []
        for dossier in dossiers:
            purpose = f"HS:{dossier.code}" if dossier.code else "HS:(bản nháp)"
            for subject in {dossier.applicant_id_number, dossier.submitter_id_number} - {""}:
                rows.append(
                    PersonalDataAccess(
                        subject_id_number=subject,
                        at=at,
                        accessor_kind=AccessorKind.STAFF,
                        accessor=_clip(reader, "accessor"),
                        user=user,
                        data=_clip(what, "data"),
                        purpose=purpose,
                    )
                )
        PersonalDataAccess.objects.bulk_create(rows)
