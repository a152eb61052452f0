from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.accounts.validators import national_id_problem


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Mã xác thực 6 số"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    national_id = forms.CharField(label=_("Số định danh cá nhân (12 số)"), max_length=12)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput)

    def clean_national_id(self) -> str:
        value: str = self.cleaned_data["national_id"].strip()
        problem = national_id_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        if User.objects.filter(national_id=value).exists():
            raise forms.ValidationError(
                _("Số định danh này đã có tài khoản / This ID already has an account.")
            )
        return value

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username=value).exists():
            raise forms.ValidationError(_("Tên đăng nhập đã được dùng / This username is taken."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            validate_password(data["password"], User(username=data.get("username", "")))
        return data
