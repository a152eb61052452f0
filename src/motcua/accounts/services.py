"""Writes about people and roles: citizen/business accounts, staff role assignment and ending.

Each service validates, runs in one transaction and returns the object (house style)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind, Role, StaffRole, User
from motcua.accounts.selectors import admin_agency_ids
from motcua.accounts.validators import national_id_problem
from motcua.agencies.models import Agency
from motcua.core.access import deny
from motcua.core.errors import ApplicationError


def user_create_citizen(
    *,
    username: str,
    password: str,
    full_name: str,
    national_id: str,
    phone: str,
    email: str = "",
    kind: str = AccountKind.CITIZEN,
    business_code: str = "",
    organisation_name: str = "",
) -> User:
    """Create a local account for a citizen or a business (its representative's ID number).

    In the real product citizens and businesses log in with their VNeID e-identity through the national
    portal (domain-vn §2.5, §4.4); local accounts serve the demo province.
    """
    if kind not in (AccountKind.CITIZEN, AccountKind.BUSINESS):
        raise ApplicationError(_("Loại tài khoản không hợp lệ."), {"field": "kind"})
    national_id = national_id.strip()
    problem = national_id_problem(national_id)
    if problem:
        raise ApplicationError(problem, {"field": "national_id"})
    if kind == AccountKind.BUSINESS and not (business_code.strip() and organisation_name.strip()):
        raise ApplicationError(
            _("Doanh nghiệp cần mã số doanh nghiệp và tên tổ chức."),
            {"field": "business_code"},
        )
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        national_id=national_id,
        phone=phone.strip(),
        email=email.strip(),
        kind=kind,
        business_code=business_code.strip(),
        organisation_name=organisation_name.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), {"field": "password"}) from error
    user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username=user.username).exists():
            raise ApplicationError(_("Tên đăng nhập đã được dùng."), {"field": "username"})
        if User.objects.filter(national_id=national_id).exists():
            raise ApplicationError(
                _("Số định danh này đã có tài khoản."),
                {"field": "national_id", "reason": "national_id_taken"},
            )
        user.save()
    return user


def user_register_citizen(**fields: Any) -> User | None:
    """Self-registration (the demo's /accounts/register/): ``user_create_citizen``, except that an ID
    number which already has an account is not reported — None instead — so that the page cannot be used
    to learn who has an account (review F14). Every other check runs first and the password is hashed
    either way, so neither the answer nor its timing tells the two cases apart."""
    try:
        return user_create_citizen(**fields)
    except ApplicationError as error:
        if error.extra.get("reason") == "national_id_taken":
            return None
        raise


def _require_administrator_over(actor: User, agency: Agency) -> None:
    # Superusers own the installation (they create the first administrator of a province).
    if getattr(actor, "is_superuser", False):
        return
    if agency.pk not in admin_agency_ids(actor):
        deny(
            _("Chỉ quản trị hệ thống của cơ quan này được phân quyền."),
            {"agency": agency.code},
        )


def staff_role_assign(
    *,
    user: User,
    agency: Agency,
    role: str,
    valid_from: dt.date,
    assigned_by: User,
    valid_to: dt.date | None = None,
) -> StaffRole:
    """Give ``user`` ``role`` at ``agency`` from ``valid_from``. Only an administrator whose scope covers
    ``agency`` may do it. The person must be a staff account and may not already hold the same role there
    for an overlapping period; the agency must exist on ``valid_from``."""
    _require_administrator_over(assigned_by, agency)
    if role not in Role.values:
        raise ApplicationError(_("Vai trò không hợp lệ."), {"field": "role", "role": role})
    if user.kind != AccountKind.STAFF:
        raise ApplicationError(
            _("Chỉ tài khoản cán bộ mới được phân vai trò."),
            {"user": user.username},
        )
    if valid_to is not None and valid_to < valid_from:
        raise ApplicationError(
            _("Ngày kết thúc phải sau ngày bắt đầu."),
            {"field": "valid_to"},
        )
    if not agency.is_valid_on(valid_from):
        raise ApplicationError(
            _("Cơ quan không còn hiệu lực vào ngày này."),
            {"agency": agency.code, "valid_from": valid_from.isoformat()},
        )
    with transaction.atomic():
        # Lock the person's roles so that two administrators cannot create overlapping copies.
        existing = StaffRole.objects.select_for_update().filter(user=user, agency=agency, role=role)
        for held in existing:
            ends = held.valid_to or dt.date.max
            new_ends = valid_to or dt.date.max
            if held.valid_from <= new_ends and valid_from <= ends:
                raise ApplicationError(
                    _("Cán bộ đã giữ vai trò này tại cơ quan trong khoảng thời gian đó."),
                    {"user": user.username, "agency": agency.code, "role": role},
                )
        return StaffRole.objects.create(
            user=user,
            agency=agency,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            assigned_by=assigned_by if getattr(assigned_by, "pk", None) else None,
        )


def staff_role_end(*, staff_role: StaffRole, last_day: dt.date, ended_by: User) -> StaffRole:
    """End a role: ``last_day`` is the last day it is held (it grants nothing from the day after)."""
    _require_administrator_over(ended_by, staff_role.agency)
    with transaction.atomic():
        locked = StaffRole.objects.select_for_update().get(pk=staff_role.pk)
        if last_day < locked.valid_from:
            raise ApplicationError(
                _("Ngày kết thúc phải sau ngày bắt đầu."),
                {"field": "last_day", "valid_from": locked.valid_from.isoformat()},
            )
        if locked.valid_to is not None and locked.valid_to < last_day:
            raise ApplicationError(
                _("Vai trò đã kết thúc trước ngày này."),
                {"valid_to": locked.valid_to.isoformat()},
            )
        locked.valid_to = last_day
        locked.save(update_fields=["valid_to"])
    return locked
