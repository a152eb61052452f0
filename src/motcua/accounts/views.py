"""Login extras: password login that continues to the second factor, two-factor verification and
enrolment (TOTP), citizen and business registration.

In production, citizens and businesses log in with their VNeID e-identity through the national portal
(dichvucong.gov.vn); the local accounts here serve the demo province and staff."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.forms import RegisterForm, TokenForm
from motcua.accounts.services import user_create_citizen
from motcua.accounts.twofactor import (
    totp_device_for_enrolment,
    totp_verify_for_user,
    two_factor_required,
    user_must_verify_second_factor,
)
from motcua.core.errors import ApplicationError


def _safe_next(request: HttpRequest, fallback: str = "portal:home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(fallback)


class LoginView(auth_views.LoginView):
    """Password login; a user who must pass a second factor continues straight to it."""

    template_name = "accounts/login.html"

    def get_default_redirect_url(self) -> str:
        """Without a safe ``?next=``: staff go to their desk, citizens and businesses to their dossiers."""
        staff = getattr(self.request.user, "kind", "") == "staff"
        return reverse("dossiers:desk" if staff else "dossiers:my_list")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if user_must_verify_second_factor(self.request.user, self.request):
            target = reverse("accounts:two_factor")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': self.get_success_url()})}")
        return response


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the 6-digit code of a confirmed device; send users without one to enrol if required."""
    user: Any = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(user, confirmed=True):
        if two_factor_required(user):
            return redirect("accounts:two_factor_setup")
        return redirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = totp_verify_for_user(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", problem)
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn TOTP on: show the QR code, confirm with a first code. Turn it off with a current code."""
    user: Any = request.user
    required = two_factor_required(user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if confirmed is not None:
        if request.method == "POST" and form.is_valid():
            if required:
                form.add_error(
                    None,
                    _("Tài khoản của bạn bắt buộc xác thực hai lớp / 2FA is required for your account."),
                )
            else:
                device, problem = totp_verify_for_user(user, form.cleaned_data["token"])
                if device is not None:
                    TOTPDevice.objects.filter(user=user).delete()
                    messages.success(request, _("Đã tắt xác thực hai lớp."))
                    return redirect("portal:home")
                form.add_error("token", problem)
        context = {"form": form, "enabled": True, "required": required}
        return render(request, "accounts/two_factor_setup.html", context)
    device = totp_device_for_enrolment(user)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(_safe_next(request))
        form.add_error("token", _("Mã xác thực không đúng / The code is wrong."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "enabled": False,
            "required": required,
            # An SVG data: URI — the CSP allows img-src data: and no inline script or style.
            "qr_svg_uri": segno.make(device.config_url, micro=False).svg_data_uri(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def register(request: HttpRequest) -> HttpResponse:
    """Local registration for citizens and businesses (the real product uses VNeID instead)."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create_citizen(
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                national_id=data["national_id"],
                phone=data["phone"],
                email=data["email"],
                kind=data["kind"],
                business_code=data.get("business_code", ""),
                organisation_name=data.get("organisation_name", ""),
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đã tạo tài khoản."))
            return redirect("portal:home")
    return render(request, "accounts/register.html", {"form": form})
