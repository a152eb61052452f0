"""Forms for the citizen portal and the one-stop counter; they only parse — rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import ApplicantKind, ReturnMethod


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ApplicantForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("Loại đối tượng"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    applicant_name = forms.CharField(label=_("Họ và tên / tên tổ chức"), max_length=255)
    applicant_id_number = forms.CharField(label=_("Số định danh cá nhân / mã số doanh nghiệp"), max_length=14)
    applicant_phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    summary = forms.CharField(
        label=_("Nội dung yêu cầu (trích yếu)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    return_method = forms.ChoiceField(label=_("Hình thức nhận kết quả"), choices=ReturnMethod.choices)


class SubmissionForm(ApplicantForm):
    """Applicant fields plus one file field per catalogue component of the pinned version."""

    def __init__(
        self,
        *args: Any,
        version: ProcedureVersion,
        offers: dict[int, list[tuple[str, str]]] | None = None,
        prefilled: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.prefilled = prefilled or {}
        # Fields filled from the national population database: shown, not editable (a disabled field
        # keeps its initial value whatever is posted); the applicant reports an error instead.
        for name, value in self.prefilled.items():
            if name in self.fields:
                self.fields[name].initial = value
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Từ Cơ sở dữ liệu quốc gia về dân cư")
        for component in version.components.all():
            self.fields[f"component_{component.pk}"] = MultipleFileField(
                label=component.name,
                required=False,
                help_text=_("Bắt buộc") if component.required else _("Không bắt buộc"),
            )
            # Once-only: documents of the applicant's data store that can stand for this component.
            choices = (offers or {}).get(component.pk)
            if choices:
                self.fields[f"reuse_{component.pk}"] = forms.ChoiceField(
                    label=_("Dùng giấy tờ trong kho dữ liệu cho: %(name)s") % {"name": component.name},
                    choices=[("", _("Không, tôi tải tệp lên")), *choices],
                    required=False,
                    widget=forms.RadioSelect,
                )
        # Optional uses need explicit consent (Law 91/2025/QH15 art. 9; Decree 356/2025): never pre-ticked.
        self.fields["sms_consent"] = forms.BooleanField(
            label=_("Tôi đồng ý nhận tin nhắn SMS về tình trạng hồ sơ vào số điện thoại trên"),
            required=False,
            initial=False,
            help_text=_(
                "Không bắt buộc. Thông báo theo quy định vẫn được gửi qua thư điện tử và trên trang này."
            ),
        )
        self.fields["survey_consent"] = forms.BooleanField(
            label=_("Tôi đồng ý được mời tham gia khảo sát mức độ hài lòng"),
            required=False,
            initial=False,
            help_text=_("Không bắt buộc."),
        )

    def component_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(("component_", "reuse_"))]

    def reuse_choices(self) -> dict[int, str]:
        """Catalogue component id -> the chosen store document ("store:<pk>")."""
        data = getattr(self, "cleaned_data", {})
        return {int(k.removeprefix("reuse_")): v for k, v in data.items() if k.startswith("reuse_") and v}

    def consent_fields(self) -> list[Any]:
        return [self[name] for name in CONSENT_FIELDS]


CONSENT_FIELDS = ("sms_consent", "survey_consent")


class CitizenSubmissionForm(SubmissionForm):
    """The portal's form: the applicant may also have the postal service collect the paper dossier."""

    def __init__(self, *args: Any, version: ProcedureVersion, **kwargs: Any) -> None:
        super().__init__(*args, version=version, **kwargs)
        self.fields["pickup_by_post"] = forms.BooleanField(
            label=_("Nhờ bưu chính công ích đến lấy hồ sơ giấy tại địa chỉ trên"),
            required=False,
            initial=False,
            help_text=_(
                "Bưu điện thu gom hồ sơ giấy và chuyển đến bộ phận một cửa; "
                "theo dõi hành trình ở trang hồ sơ."
            ),
        )

    def pickup_fields(self) -> list[Any]:
        return [self["pickup_by_post"]]


class CounterForm(SubmissionForm):
    def __init__(self, *args: Any, version: ProcedureVersion, **kwargs: Any) -> None:
        super().__init__(*args, version=version, **kwargs)
        self.fields["received_components"] = forms.MultipleChoiceField(
            label=_("Thành phần đã nhận (bản giấy)"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(str(c.pk), c.name) for c in version.components.all()],
        )
        self.fields["return_method"].initial = ReturnMethod.COUNTER


class TrackingForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    factor = forms.CharField(
        label=_("Mã tra cứu (in trên giấy tiếp nhận)"),
        help_text=_("Hồ sơ nộp trước khi có mã tra cứu: 4 số cuối điện thoại hoặc số định danh."),
        max_length=16,
    )


class ItemsForm(forms.Form):
    items = forms.CharField(
        label=_("Giấy tờ cần bổ sung và lý do (mỗi dòng một mục)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("Ý kiến xử lý"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result_number = forms.CharField(label=_("Số, ký hiệu văn bản kết quả"), required=False, max_length=64)


class ReturnForm(forms.Form):
    method = forms.ChoiceField(label=_("Hình thức trả"), choices=ReturnMethod.choices)
    recipient = forms.CharField(label=_("Người nhận kết quả"), max_length=255)
    note = forms.CharField(label=_("Ghi chú"), required=False)


class ApologyForm(forms.Form):
    reason = forms.CharField(label=_("Lý do chậm trễ"), widget=forms.Textarea(attrs={"rows": 3}))
    new_appointment_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class SupplyForm(forms.Form):
    def __init__(self, *args: Any, components: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for component in components:
            self.fields[f"component_{component.catalogue_component_id}"] = MultipleFileField(
                label=component.name, required=False
            )
        self.fields["note"] = forms.CharField(label=_("Ghi chú"), required=False)


# --- The staff desk's actions: one small form each, parsed here, checked by the service ----------------
# Text fields are optional on purpose: an empty reason or list is refused by the service, with the same
# message the API gives.


class DeskForm(forms.Form):
    pass


class DeskItemsForm(forms.Form):
    items = forms.CharField(required=False)
    # A second supplement request: the leader's reason (Decree 118/2025 art. 12).
    second_request_reason = forms.CharField(required=False)

    def item_list(self) -> list[str]:
        items: str = self.cleaned_data["items"]
        return items.splitlines()


class DeskReasonForm(forms.Form):
    reason = forms.CharField(required=False)


class DeskTaskForm(forms.Form):
    task = forms.CharField(required=False)


class DeskCompleteForm(DeskTaskForm):
    note = forms.CharField(required=False)
    result_number = forms.CharField(required=False, max_length=64)
    # The leader's re-authentication when approving a result that carries their personal signature.
    password = forms.CharField(required=False, strip=False, max_length=256)
    otp = forms.CharField(required=False, max_length=16)


class DeskResultDraftForm(forms.Form):
    """The draft's fields depend on the result template; the service validates them (signatures.drafts)."""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.raw = data if data is not None else {}


class DeskAssignForm(DeskTaskForm):
    assignee = forms.CharField(required=False)


class DeskConsultForm(forms.Form):
    agency = forms.CharField(required=False)
    question = forms.CharField(required=False)
    budget_value = forms.DecimalField(
        label=_("Thời hạn trả lời (ngày làm việc)"), required=False, min_value=Decimal("0.5"), max_value=365
    )


class DeskPaymentForm(forms.Form):
    reference = forms.CharField(required=False)


class DeskReturnForm(forms.Form):
    method = forms.CharField(required=False)
    recipient = forms.CharField(required=False)
    note = forms.CharField(required=False)
