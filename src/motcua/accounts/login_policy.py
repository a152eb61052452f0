"""The port through which the password login asks whether a user may log in with a local password.
``accounts`` owns it; the ``identity`` app (VNeID login, the administrator's switch) fills it at start-up
(``IdentityConfig.ready``). Without one, every account may use its password."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.accounts.models import User

_allowed: Callable[[User], bool] | None = None


def password_login_policy_set(allowed: Callable[[User], bool] | None) -> None:
    global _allowed
    _allowed = allowed


def password_login_allowed(user: User) -> bool:
    return True if _allowed is None else _allowed(user)
