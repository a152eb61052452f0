"""Send staff who must use two-factor login to verify (or enrol) before they reach any other page —
the Django admin included, so /admin/ needs an OTP-verified session for anyone with a device."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

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
            # A required user without a device enrols first; everybody else enters a code.
            name = (
                "accounts:two_factor"
                if user_has_device(user, confirmed=True)
                else "accounts:two_factor_setup"
            )
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return HttpResponseRedirect(f"{reverse(name)}?{query}" if query else reverse(name))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and files shown to a logged-in person (or a token) carry personal data: no browser or shared
    cache may keep them (``Cache-Control: no-store``). A view that set its own Cache-Control keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
