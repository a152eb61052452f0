"""Permission-checked reads about people and roles. One condition per line, each with a test.

* an active role (valid today) at an agency covers that agency and every unit below it;
* an expired or future role covers nothing;
* an administrator of a province-level agency covers the whole province;
* listing the staff of an agency needs the administrator or leader role over it;
* an agency outside the caller's scope looks like one that does not exist (NotFoundError).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from motcua.accounts.models import Role, StaffRole, User
from motcua.agencies.models import Agency, AgencyLevel
from motcua.core import clock
from motcua.core.errors import NotFoundError, PermissionDeniedError


def staff_roles_active(*, user: Any) -> QuerySet[StaffRole]:
    if not getattr(user, "is_authenticated", False):
        return StaffRole.objects.none()
    return StaffRole.objects.active_on(clock.local_today()).filter(user=user).select_related("agency")


def _with_descendants(roots: set[int]) -> set[int]:
    result, frontier = set(roots), set(roots)
    while frontier:
        children = set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - result
        result |= children
        frontier = children
    return result


def agency_ids_for_user(*, user: Any, roles: set[str] | None = None) -> set[int]:
    """Agencies the user may act on or read for the given roles (any role when None)."""
    active = staff_roles_active(user=user)
    if roles is not None:
        active = active.filter(role__in=roles)
    roots = set(active.values_list("agency_id", flat=True))
    return _with_descendants(roots)


def agencies_for_user(*, user: Any, roles: set[str] | None = None) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=agency_ids_for_user(user=user, roles=roles))


def user_is_province_administrator(*, user: Any) -> bool:
    return (
        staff_roles_active(user=user)
        .filter(role=Role.ADMINISTRATOR, agency__level=AgencyLevel.PROVINCE)
        .exists()
    )


def staff_member_list_for_officer(*, officer: Any, agency: Agency) -> QuerySet[User]:
    """Staff holding an active role at ``agency`` — for administrators and leaders over it."""
    visible = agency_ids_for_user(user=officer)
    if agency.pk not in visible:
        raise NotFoundError("Không tìm thấy cơ quan / Agency not found.", {"agency": agency.code})
    managing = agency_ids_for_user(user=officer, roles={Role.ADMINISTRATOR, Role.LEADER})
    if agency.pk not in managing:
        raise PermissionDeniedError(
            "Chỉ quản trị hoặc lãnh đạo được xem danh sách cán bộ / Only administrators "
            "and leaders may list staff.",
            {"agency": agency.code},
        )
    user_ids = StaffRole.objects.active_on(clock.local_today()).filter(agency=agency).values("user_id")
    return User.objects.filter(pk__in=user_ids).order_by("full_name")
