"""Writes to the agency tree. Agencies are never deleted: they end (``valid_to``) and name a successor,
so dossiers received by an abolished body can still be explained (domain-vn §0: 2025 mergers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.agencies.models import Agency, AgencyLevel
from motcua.core.errors import ApplicationError


def agency_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Agency | None = None,
    abbreviation: str = "",
    is_service_centre: bool = False,
    valid_from: dt.date,
    legal_basis: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    name_en: str = "",
) -> Agency:
    """Create an agency in the tree after checking its code, level and parent.

    A province has no parent; every other level has one that exists on ``valid_from`` and belongs to the
    same province (the last part of the e-ID code, Decision 20/2020/QĐ-TTg).
    """
    code = code.strip().upper()
    if Agency.objects.filter(code=code).exists():
        raise ApplicationError("Mã định danh đã tồn tại / This code is already used.", {"code": code})
    if level == AgencyLevel.PROVINCE and parent is not None:
        raise ApplicationError(
            "Cơ quan cấp tỉnh không có cơ quan cấp trên / A province has no parent.", {"code": code}
        )
    if level != AgencyLevel.PROVINCE and parent is None:
        raise ApplicationError(
            "Cần chọn cơ quan cấp trên / A parent agency is required.", {"field": "parent"}
        )
    if parent is not None:
        if not parent.is_valid_on(valid_from):
            raise ApplicationError(
                "Cơ quan cấp trên không còn hiệu lực vào ngày này / The parent does not exist on that day.",
                {"parent": parent.code, "valid_from": valid_from.isoformat()},
            )
        if parent.province_code != code.rsplit(".", 1)[-1]:
            raise ApplicationError(
                "Mã định danh phải cùng tỉnh với cơ quan cấp trên / The code must belong to the "
                "parent's province.",
                {"code": code, "parent": parent.code},
            )
    agency = Agency(
        code=code,
        name=name.strip(),
        name_en=name_en,
        abbreviation=abbreviation,
        level=level,
        parent=parent,
        is_service_centre=is_service_centre,
        valid_from=valid_from,
        legal_basis=legal_basis,
        address=address,
        phone=phone,
        email=email,
    )
    _full_clean(agency)
    with transaction.atomic():
        agency.save()
    return agency


def agency_merge(
    *, agencies: Sequence[Agency], into: Agency, on_date: dt.date, legal_basis: str
) -> list[Agency]:
    """Merge ``agencies`` into ``into`` from ``on_date``: each ends the day before, names ``into`` as its
    successor and records the legal basis. Units below the merged agencies are not moved: pass them too
    when they end as well (their successor is often a unit of ``into``, not ``into`` itself)."""
    if not legal_basis.strip():
        raise ApplicationError(
            "Cần ghi căn cứ pháp lý của việc sắp xếp / The legal basis is required.",
            {"field": "legal_basis"},
        )
    if not agencies:
        raise ApplicationError("Chưa chọn cơ quan cần sáp nhập / No agency to merge.", {})
    last_day = on_date - dt.timedelta(days=1)
    with transaction.atomic():
        pks = [a.pk for a in agencies]
        locked = {a.pk: a for a in Agency.objects.select_for_update().filter(pk__in=[*pks, into.pk])}
        target = locked[into.pk]
        if target.pk in pks:
            raise ApplicationError(
                "Không thể sáp nhập một cơ quan vào chính nó / An agency cannot merge into itself.",
                {"code": target.code},
            )
        if not target.is_valid_on(on_date) or target.valid_to is not None:
            raise ApplicationError(
                "Cơ quan tiếp nhận phải còn hiệu lực từ ngày sáp nhập / The receiving agency must exist "
                "from the merger date on.",
                {"into": target.code, "on_date": on_date.isoformat()},
            )
        if _successor_chain_contains(target, set(pks)):
            raise ApplicationError(
                "Sáp nhập này tạo vòng kế thừa / This merger would create a succession loop.",
                {"into": target.code},
            )
        merged: list[Agency] = []
        for pk in pks:
            agency = locked[pk]
            if agency.valid_to is not None and agency.valid_to < last_day:
                raise ApplicationError(
                    "Cơ quan đã chấm dứt hoạt động trước ngày sáp nhập / The agency had already ended.",
                    {"code": agency.code, "valid_to": agency.valid_to.isoformat()},
                )
            if agency.valid_from > last_day:
                raise ApplicationError(
                    "Ngày sáp nhập phải sau ngày cơ quan bắt đầu hoạt động / The merger must come after "
                    "the agency started.",
                    {"code": agency.code},
                )
            agency.valid_to = last_day
            agency.successor = target
            agency.legal_basis = legal_basis.strip()
            agency.save(update_fields=["valid_to", "successor", "legal_basis"])
            merged.append(agency)
    return merged


def _successor_chain_contains(agency: Agency, pks: set[int]) -> bool:
    current: Agency | None = agency
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        if current.pk in pks:
            return True
        seen.add(current.pk)
        current = current.successor
    return False


def _full_clean(agency: Agency) -> None:
    try:
        agency.full_clean(validate_unique=False)
    except ValidationError as error:
        first_field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(
            str(messages[0]), {"field": first_field, "errors": error.message_dict}
        ) from error
