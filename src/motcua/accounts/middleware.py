"""Send staff who must use two-factor login to verify (or enrol) before they reach any staff page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from motcua.accounts.twofactor import user_must_verify_second_factor

# Paths a half-logged-in staff member may still reach: the 2FA pages themselves, logout, static files.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and user_must_verify_second_factor(user, request)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
