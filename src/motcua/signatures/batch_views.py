"""The leader's signing queue (/mot-cua/ky-so/): previews and batch signing with one authorisation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csp import csp_override
from django_otp import user_has_device

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.dossiers import selectors
from motcua.signatures.batch import results_batch_sign, signing_queue_for
from motcua.signatures.forms import result_template
from motcua.signatures.models import ResultDraft
from motcua.signatures.render import document_render
from motcua.signatures.results import result_data


class BatchSignForm(forms.Form):
    codes = forms.MultipleChoiceField(label=_lazy("Hồ sơ chọn ký"), widget=forms.CheckboxSelectMultiple)
    password = forms.CharField(
        label=_lazy("Mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp = forms.CharField(
        label=_lazy("Mã xác thực (ứng dụng OTP)"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, codes: list[str], needs_otp: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes_field = self.fields["codes"]
        assert isinstance(codes_field, forms.MultipleChoiceField)
        codes_field.choices = [(c, c) for c in codes]
        if not needs_otp:
            del self.fields["otp"]


def _staff(request: HttpRequest) -> None:
    if getattr(request.user, "kind", "") != "staff":
        raise Http404


@login_required
def signing_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    _staff(request)
    tasks = list(signing_queue_for(user=request.user)[:200])
    # What the leader approves: the specialist's draft of the result's content, next to each dossier.
    drafts = {
        d.dossier_id: d.values for d in ResultDraft.objects.filter(dossier__in=[t.dossier_id for t in tasks])
    }
    for t in tasks:
        t.result_draft = drafts.get(t.dossier_id, {})  # type: ignore[attr-defined]
    codes = [t.dossier.code or "" for t in tasks]
    form = BatchSignForm(
        request.POST or None, codes=codes, needs_otp=user_has_device(request.user, confirmed=True)
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = results_batch_sign(
                leader=request.user,
                codes=form.cleaned_data["codes"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp", ""),
            )
        except ApplicationError as exc:
            for name, message in exc.extra.get("fields", {}).items():
                form.add_error(name if name in form.fields else None, message)
            if not exc.extra.get("fields"):
                form.add_error(None, exc.message)
        else:
            if outcome.signed:
                messages.success(
                    request,
                    _("Đã phê duyệt và ký %(n)d hồ sơ: %(codes)s")
                    % {"n": len(outcome.signed), "codes": ", ".join(outcome.signed)},
                )
            for code, problem in outcome.failed.items():
                messages.error(request, f"{code}: {problem}")
            return redirect("batch:queue")
    return render(request, "signatures/signing_queue.html", {"tasks": tasks, "form": form})


# The preview is shown in a frame of the queue page: this response alone may be framed, by our own pages.
@csp_override({"default-src": ["'none'"], "frame-ancestors": ["'self'"]})
@login_required
def result_preview(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The draft result as it will be issued, before its number: what the leader is asked to sign."""
    _staff(request)
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    data = result_data(dossier, approver=request.user)
    data["number"] = data.get("number") or "......"
    pdf = document_render(template=result_template(dossier.procedure_version), data=data)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-{dossier.code}.pdf"'
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
