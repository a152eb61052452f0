"""Small building blocks of the permission layer (Zulip's ``access_*`` helpers), shared by every app.

``core`` may import Django only, so the rules about *who* holds *which role where* live in
``accounts.selectors``; this module gives the pieces every selector uses the same way:

* ``is_signed_in(user)`` — anonymous users and ``None`` hold nothing;
* ``get_visible_or_not_found(queryset, ...)`` — a row outside the caller's scope looks exactly like a row
  that does not exist, so identifiers cannot be probed;
* ``deny(...)`` — one way to refuse an action the caller can see but may not do;
* an *agency scope provider*: lower apps (``agencies`` admin) ask ``agency_scope_for_admin(user)`` which
  agencies a staff member may manage, without importing ``accounts``. ``accounts`` registers the provider
  when it is ready (dependency inversion instead of an upward import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import models

from motcua.core.errors import NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs  # typing.TypeIs arrives with Python 3.13

# Returns the ids of the agencies ``user`` may manage in the admin, or None for "every agency".
AgencyScopeProvider = Callable[[Any], "set[int] | None"]
_agency_scope_provider: AgencyScopeProvider | None = None


def is_signed_in(user: AbstractBaseUser | AnonymousUser | None) -> TypeIs[AbstractBaseUser]:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def get_visible_or_not_found[M: models.Model](
    queryset: models.QuerySet[M], *, message: str, extra: dict[str, Any] | None = None, **lookup: Any
) -> M:
    """The one row of ``queryset`` matching ``lookup``; NotFoundError when it is missing *or* hidden.

    ``queryset`` must already be restricted to what the caller may see.
    """
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFoundError(message, extra or {})
    return found


def deny(message: str, extra: dict[str, Any] | None = None) -> NoReturn:
    raise PermissionDeniedError(message, extra or {})


def agency_scope_provider_set(provider: AgencyScopeProvider | None) -> None:
    """Register (or with None remove) the function that computes a user's manageable agencies."""
    global _agency_scope_provider  # one process-wide hook, set once at start-up
    _agency_scope_provider = provider


def agency_scope_for_admin(user: AbstractBaseUser | AnonymousUser) -> set[int] | None:
    """Agencies ``user`` may manage: None means all (superusers), an empty set means none."""
    if not is_signed_in(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    if _agency_scope_provider is None:
        return set()
    return _agency_scope_provider(user)


# The people rules that ``core.auth`` (API tokens) needs from ``accounts`` without importing it: whether
# a person must use two-factor authentication, and which users an administrator manages. ``accounts``
# registers them when it is ready; unset, the safe answers apply (2FA required, nobody managed).
TwoFactorRule = Callable[[Any], bool]
AdministeredUsers = Callable[[Any], Any]
_two_factor_required: TwoFactorRule | None = None
_users_for_admin: AdministeredUsers | None = None


def people_rules_set(
    *, two_factor_required: TwoFactorRule | None, users_for_admin: AdministeredUsers | None
) -> None:
    global _two_factor_required, _users_for_admin  # process-wide hooks, set once at start-up
    _two_factor_required = two_factor_required
    _users_for_admin = users_for_admin


def two_factor_required_for(user: Any) -> bool:
    return True if _two_factor_required is None else _two_factor_required(user)


def users_administered_by(user: Any) -> Any:
    """A queryset of the users ``user`` manages (as in the user admin)."""
    if _users_for_admin is None:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.none()
    return _users_for_admin(user)
