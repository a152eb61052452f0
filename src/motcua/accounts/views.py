"""Login extras: two-factor verification and enrolment (TOTP), citizen registration.

In production, citizens log in with their VNeID e-identity through the national portal; local accounts
serve the demo province and staff."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.forms import RegisterForm, TokenForm
from motcua.accounts.models import AccountKind, User
from motcua.accounts.twofactor import two_factor_required


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the 6-digit code of a confirmed device; send users without one to enrol if required."""
    user: Any = request.user
    if user.is_verified():
        return redirect("portal:home")
    if not user_has_device(user, confirmed=True):
        if two_factor_required(user):
            return redirect("accounts:two_factor_setup")
        return redirect("portal:home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(request.GET.get("next") or "portal:home")
        form.add_error("token", _("Mã xác thực không đúng hoặc đã hết hạn / The code is wrong or expired."))
    return render(request, "accounts/two_factor.html", {"form": form})


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn TOTP on: show the QR code, confirm with a first code. Turn it off with a current code."""
    user: Any = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if confirmed is not None:
        if request.method == "POST" and form.is_valid():
            if two_factor_required(user):
                form.add_error(
                    None, _("Tài khoản của bạn bắt buộc xác thực hai lớp / 2FA is required for you.")
                )
            elif confirmed.verify_token(form.cleaned_data["token"]):
                confirmed.delete()
                messages.success(request, _("Đã tắt xác thực hai lớp."))
                return redirect("portal:home")
            else:
                form.add_error("token", _("Mã xác thực không đúng / The code is wrong."))
        return render(request, "accounts/two_factor_setup.html", {"form": form, "enabled": True})
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Ứng dụng xác thực"}
    )
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect("portal:home")
        form.add_error("token", _("Mã xác thực không đúng / The code is wrong."))
    qr = segno.make(device.config_url, micro=False)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "enabled": False,
            "qr_svg_uri": qr.svg_data_uri(scale=4),
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User(
            username=data["username"],
            full_name=data["full_name"],
            national_id=data["national_id"],
            phone=data["phone"],
            email=data["email"],
            kind=AccountKind.CITIZEN,
        )
        user.set_password(data["password"])
        user.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Đã tạo tài khoản."))
        return redirect("portal:home")
    return render(request, "accounts/register.html", {"form": form})
