from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import AccountKind, User
from motcua.accounts.validators import national_id_problem
from motcua.core.models import TokenScope


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực 6 số"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_token(self) -> str:
        value: str = self.cleaned_data["token"].strip()
        if not value.isdigit():
            raise forms.ValidationError(_("Mã xác thực gồm 6 chữ số / The code has 6 digits."))
        return value


class SecondFactorForm(forms.Form):
    """The login's second step: the app's 6-digit code, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Mã xác thực 6 số hoặc mã khôi phục"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class ReauthForm(forms.Form):
    """The password again, before the secret of a new authenticator is shown (review F15)."""

    password = forms.CharField(
        label=_("Mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ApiTokenForm(forms.Form):
    """A new API token: a name to recognise it, what it may do, how long it lives."""

    name = forms.CharField(label=_("Tên khóa (ví dụ: phần mềm kế toán)"), max_length=128)
    scopes = forms.MultipleChoiceField(
        label=_("Phạm vi"), widget=forms.CheckboxSelectMultiple, choices=TokenScope.choices
    )
    days = forms.TypedChoiceField(
        label=_("Thời hạn"),
        coerce=int,
        initial=90,
        choices=[(7, _("7 ngày")), (30, _("30 ngày")), (90, _("90 ngày")), (365, _("1 năm"))],
    )

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            scopes = self.fields["scopes"]
            assert isinstance(scopes, forms.MultipleChoiceField)
            scopes.choices = [c for c in TokenScope.choices if c[0] != TokenScope.STAFF_ACT]


class RegisterForm(forms.Form):
    """Local registration (demo). The real product lets citizens and businesses in through VNeID."""

    kind = forms.ChoiceField(
        label=_("Loại tài khoản"),
        choices=[(AccountKind.CITIZEN, _("Công dân")), (AccountKind.BUSINESS, _("Tổ chức, doanh nghiệp"))],
        initial=AccountKind.CITIZEN,
        required=False,
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    national_id = forms.CharField(label=_("Số định danh cá nhân (12 số)"), max_length=12)
    phone = forms.RegexField(
        label=_("Số điện thoại"),
        regex=r"^(\+84|0)[0-9]{9,10}$",
        error_messages={"invalid": _("Số điện thoại không hợp lệ / Invalid phone number.")},
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    organisation_name = forms.CharField(label=_("Tên tổ chức, doanh nghiệp"), max_length=255, required=False)
    business_code = forms.RegexField(
        label=_("Mã số doanh nghiệp"),
        regex=r"^[0-9]{10}(-[0-9]{3})?$",
        required=False,
        error_messages={
            "invalid": _("Mã số doanh nghiệp gồm 10 số (hoặc 10 số-3 số) / 10 digits (or 10-3 digits).")
        },
    )
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput)

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or AccountKind.CITIZEN)

    def clean_national_id(self) -> str:
        value: str = self.cleaned_data["national_id"].strip()
        problem = national_id_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        # Whether the number already has an account is not said here (review F14): see the register view.
        return value

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username=value).exists():
            raise forms.ValidationError(_("Tên đăng nhập đã được dùng / This username is taken."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == AccountKind.BUSINESS:
            for name in ("organisation_name", "business_code"):
                if not data.get(name):
                    self.add_error(
                        name, _("Bắt buộc với tài khoản doanh nghiệp / Required for a business account.")
                    )
        if data.get("password"):
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                validate_password(data["password"], candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data
