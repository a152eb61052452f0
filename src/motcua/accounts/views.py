"""Login extras: password login that continues to the second factor, two-factor verification and
enrolment (TOTP), citizen and business registration.

In production, citizens and businesses log in with their VNeID e-identity through the national portal
(dichvucong.gov.vn); the local accounts here serve the demo province and staff."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.forms import ApiTokenForm, ReauthForm, RegisterForm, SecondFactorForm, TokenForm
from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.accounts.login_policy import password_login_allowed
from motcua.accounts.models import AccountKind
from motcua.accounts.selectors import user_monitors_only
from motcua.accounts.services import user_register_citizen
from motcua.accounts.twofactor import (
    ENROLMENT_SESSION_KEY,
    password_confirmed,
    password_recently_confirmed,
    recovery_codes_issue,
    second_factor_remove,
    second_factor_verify_for_user,
    totp_device_for_enrolment,
    totp_verify_for_user,
    two_factor_required,
    user_must_verify_second_factor,
)
from motcua.core import clock
from motcua.core.auth import api_token_issue, api_token_revoke, api_tokens_for_owner
from motcua.core.errors import ApplicationError
from motcua.core.throttle import REGISTER_PER_IP, request_throttled


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login (our page and /admin/login/): 429 with Retry-After.

    The page does not say whether the account exists: an unknown name is locked out the same way."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


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
        user = self.request.user
        if getattr(user, "kind", "") != "staff":
            return reverse("dossiers:my_list")
        # The IOC viewer has no desk work: the operations centre is their page (walk, session 6).
        return reverse("ioc:dashboard" if user_monitors_only(user) else "dossiers:desk")

    def form_valid(self, form: Any) -> HttpResponse:
        if not password_login_allowed(form.get_user()):
            # The administrator turned password login off for citizens: VNeID only (identity app).
            form.add_error(None, _("Công dân đăng nhập bằng tài khoản định danh điện tử VNeID."))
            return self.render_to_response(self.get_context_data(form=form, password_login_off=True))
        response = super().form_valid(form)
        password_confirmed(self.request)
        if user_must_verify_second_factor(self.request.user, self.request):
            target = reverse("accounts:two_factor")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': self.get_success_url()})}")
        return response


@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the 6-digit code of a confirmed device; send users without one to enrol if required."""
    user: Any = request.user  # OTPMiddleware wraps it and adds is_verified(), which User does not declare
    if user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(user, confirmed=True):
        if two_factor_required(user):
            return redirect("accounts:two_factor_setup")
        return redirect(_safe_next(request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, problem = second_factor_verify_for_user(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "Bạn vừa dùng một mã khôi phục; còn %(left)d mã. / "
                        "A recovery code was used; %(left)d left."
                    )
                    % {"left": left},
                )
            return redirect(_safe_next(request))
        form.add_error("token", problem)
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn TOTP on: show the QR code, confirm with a first code. Turn it off with a current code."""
    user = request.user
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
                    second_factor_remove(user)
                    messages.success(request, _("Đã tắt xác thực hai lớp."))
                    return redirect("portal:home")
                form.add_error("token", problem)
        context = {"form": form, "enabled": True, "required": required}
        return render(request, "accounts/two_factor_setup.html", context)
    device = totp_device_for_enrolment(user)
    # The secret is shown only to a session that typed the password within MOTCUA_REAUTH_SECONDS, and only
    # that session may confirm it (review F15): an unattended or stolen session cannot enrol its own app.
    if not password_recently_confirmed(request) and request.session.get(ENROLMENT_SESSION_KEY) != device.pk:
        return _reauthenticate(request, required)
    request.session[ENROLMENT_SESSION_KEY] = device.pk
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            del request.session[ENROLMENT_SESSION_KEY]
            codes = recovery_codes_issue(user)
            messages.success(request, _("Đã bật xác thực hai lớp."))
            # The codes are shown on this one answer, never again.
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _safe_next(request)}
            )
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


@login_required
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "API tokens": the person's tokens with last use and expiry; create one (the key is shown on this
    one answer only) and revoke."""
    user = request.user
    form = ApiTokenForm(request.POST or None, staff=user.kind == AccountKind.STAFF or user.is_staff)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = api_token_issue(
                owner=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=clock.now() + dt.timedelta(days=form.cleaned_data["days"]),
                by=user,
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            form = ApiTokenForm(staff=user.kind == AccountKind.STAFF or user.is_staff)
    context = {
        "tokens": api_tokens_for_owner(user=user),
        "form": form,
        "new_key": new_key,
        "now": clock.now(),
    }
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = api_tokens_for_owner(user=request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("Đã thu hồi khóa %(name)s.") % {"name": token.name})
    return redirect("accounts:api_tokens")


def _reauthenticate(request: AuthenticatedHttpRequest, required: bool) -> HttpResponse:
    """The password step before enrolment. Checked through ``authenticate`` so that django-axes counts
    wrong passwords here like at the login (and locks out the same way)."""
    form = ReauthForm(request.POST if "password" in request.POST else None)
    if form.is_bound and form.is_valid():
        user = request.user
        checked = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        if checked is not None and checked.pk == user.pk:
            password_confirmed(request)
            return redirect(request.get_full_path())
        form.add_error("password", _("Mật khẩu không đúng / The password is wrong."))
    return render(
        request, "accounts/two_factor_setup.html", {"reauth_form": form, "reauth": True, "required": required}
    )


@request_throttled(REGISTER_PER_IP)
def register(request: HttpRequest) -> HttpResponse:
    """Local registration for citizens and businesses (the real product uses VNeID instead).

    The answer to a valid form is the same page whether or not the ID number already had an account, and
    nobody is logged in by it: the person logs in with the name and password just chosen (review F14)."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_register_citizen(
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
            return render(request, "accounts/register_done.html")
    return render(request, "accounts/register.html", {"form": form})
