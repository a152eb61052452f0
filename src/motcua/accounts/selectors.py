"""Permission-checked reads about people and roles — the layer every staff read goes through.

Rules, one per line, each with a test (``accounts/tests/test_selectors.py``):

* a role counts only while it is active: ``valid_from <= day <= valid_to`` (an expired role grants nothing);
* an active role at an agency covers that agency and every unit below it — not its siblings, not its parents
  (``user_roles_at`` walks up from the agency acted at, ``agency_ids_for_user`` down from the roles held);
* a deactivated user holds no role;
* an administrator role at a province-level agency covers every agency of that province (same level-1
  code, e.g. ``…H99``), even one not linked below it;
* listing the staff of an agency needs the administrator or leader role over it;
* an agency outside the caller's scope looks like one that does not exist (NotFoundError), so ids cannot
  be probed; an agency in scope without the needed role gives PermissionDeniedError;
* citizens, businesses and anonymous visitors hold no role anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, StaffRole, User
from motcua.agencies.models import Agency, AgencyLevel
from motcua.agencies.selectors import agency_ancestors, agency_ids_with_descendants
from motcua.core import clock
from motcua.core.access import deny, get_visible_or_not_found, is_signed_in
from motcua.core.errors import NotFoundError

_AGENCY_NOT_FOUND = "Không tìm thấy cơ quan."  # msgid; translated where raised
_MANAGING_ROLES = frozenset({Role.ADMINISTRATOR, Role.LEADER})


def staff_roles_active(
    user: AbstractBaseUser | AnonymousUser, on: dt.date | None = None
) -> QuerySet[StaffRole]:
    """The user's roles in force on ``on`` (default today, Vietnam time)."""
    if not is_signed_in(user):
        return StaffRole.objects.none()
    return (
        StaffRole.objects.active_on(on or clock.local_today())
        .filter(user_id=user.pk)
        .filter(user__is_active=True)
        .select_related("agency")
    )


def agency_ids_for_user(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] | None = None, *, on: dt.date | None = None
) -> set[int]:
    """Ids of the agencies where ``user`` may act with one of ``roles`` (any role when None)."""
    active = staff_roles_active(user, on)
    if roles is not None:
        active = active.filter(role__in=list(roles))
    held = list(active.values_list("agency_id", "role", "agency__level", "agency__code"))
    roots = {agency_id for agency_id, _role, _level, _code in held}
    ids = agency_ids_with_descendants(roots)
    province_codes = {
        code.rsplit(".", 1)[-1]
        for _id, role, level, code in held
        if role == Role.ADMINISTRATOR and level == AgencyLevel.PROVINCE
    }
    if province_codes:
        same_province = Q()
        for province_code in province_codes:
            same_province |= Q(code__endswith=f".{province_code}")
        ids |= set(Agency.objects.filter(same_province).values_list("pk", flat=True))
    return ids


def user_roles_at(*, user: AbstractBaseUser | AnonymousUser, agency: Agency) -> set[str]:
    """Roles ``user`` holds today at ``agency`` or at an agency above it — the roles in which they may act
    there. The one check the dossier services, processing and desk use."""
    if not is_signed_in(user):
        return set()
    return set(
        staff_roles_active(user)
        .filter(agency_id__in=[a.pk for a in agency_ancestors(agency)])
        .values_list("role", flat=True)
    )


def agencies_for_user(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[str] | None = None
) -> QuerySet[Agency]:
    """Agencies where ``user`` holds one of ``roles`` today, plus their descendant units."""
    return Agency.objects.filter(pk__in=agency_ids_for_user(user, roles)).order_by("code")


def user_has_role(user: AbstractBaseUser | AnonymousUser, role: str, agency: Agency | None = None) -> bool:
    """Does ``user`` hold ``role`` today — anywhere (``agency`` None) or over ``agency``?"""
    if agency is None:
        return staff_roles_active(user).filter(role=role).exists()
    return agency.pk in agency_ids_for_user(user, {role})


def user_monitors_only(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Does ``user`` hold only the IOC viewer's role today (no dossier work anywhere)? Such a user lands on
    the operations centre, not on a work desk whose boxes would always stay empty."""
    roles = set(staff_roles_active(user).values_list("role", flat=True))
    return roles == {Role.IOC_VIEWER}


def staff_member_get(*, user_id: Any) -> User | None:
    """An active account by id (for a leader picking whom to assign; the service checks the role)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def user_is_province_administrator(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        staff_roles_active(user).filter(role=Role.ADMINISTRATOR, agency__level=AgencyLevel.PROVINCE).exists()
    )


def require_role(user: AbstractBaseUser | AnonymousUser, role: str, agency: Agency) -> None:
    """Raise PermissionDeniedError unless ``user`` holds ``role`` over ``agency`` today."""
    if not user_has_role(user, role, agency):
        deny(
            _("Bạn không có vai trò cần thiết tại cơ quan này."),
            {"role": str(role), "agency": agency.code},
        )


def agency_get_for_officer(*, officer: User, agency_id: int | str) -> Agency:
    """An agency the officer can see (any active role over it); others look missing."""
    try:
        pk = int(agency_id)
    except (TypeError, ValueError):
        raise NotFoundError(_(_AGENCY_NOT_FOUND), {"agency": str(agency_id)}) from None
    return get_visible_or_not_found(
        agencies_for_user(officer), message=_(_AGENCY_NOT_FOUND), extra={"agency": pk}, pk=pk
    )


def staff_member_list_for_officer(*, officer: User, agency: Agency) -> QuerySet[User]:
    """Staff holding an active role at ``agency`` — for administrators and leaders over it."""
    if agency.pk not in agency_ids_for_user(officer):
        raise NotFoundError(_(_AGENCY_NOT_FOUND), {"agency": agency.pk})
    if agency.pk not in agency_ids_for_user(officer, _MANAGING_ROLES):
        deny(
            _("Chỉ quản trị hoặc lãnh đạo được xem danh sách cán bộ."),
            {"agency": agency.code},
        )
    user_ids = StaffRole.objects.active_on(clock.local_today()).filter(agency=agency).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("full_name", "username")


def admin_agency_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """Agencies a (non-superuser) staff member may manage in the Django admin: administrator roles only.

    Registered with ``core.access`` in ``AccountsConfig.ready`` so that lower apps can scope their admin.
    """
    return agency_ids_for_user(user, {Role.ADMINISTRATOR})


def users_for_admin(user: AbstractBaseUser | AnonymousUser) -> QuerySet[User]:
    """Users a staff member may manage in the admin: everyone for superusers; for administrators the staff
    with a role (past or present) inside their scope; nobody for other staff."""
    if getattr(user, "is_superuser", False):
        return User.objects.all()
    scope = admin_agency_ids(user)
    if not scope:
        return User.objects.none()
    in_scope = StaffRole.objects.filter(agency_id__in=scope).values("user_id")
    return User.objects.filter(pk__in=in_scope)


def staff_roles_for_admin(user: AbstractBaseUser | AnonymousUser) -> QuerySet[StaffRole]:
    if getattr(user, "is_superuser", False):
        return StaffRole.objects.all()
    return StaffRole.objects.filter(agency_id__in=admin_agency_ids(user))
