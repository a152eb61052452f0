"""The public verification page (/xac-minh/): anyone uploads a PDF, or follows the QR code printed on a
document we issued, and reads the report — each signature, signer, chain to a trusted root, revocation,
time-stamp, whether the file changed after signing and whether it is the original we issued."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ApplicationError
from motcua.core.throttle import VERIFY_PER_IP, request_throttled
from motcua.signatures.forms import FORMS
from motcua.signatures.models import IssuedDocument
from motcua.signatures.services import document_verify, issued_document_find
from motcua.signatures.verification import MAX_BYTES

RESULT_LABEL = "Kết quả giải quyết thủ tục hành chính"


def kind_label(kind: str) -> str:
    """What a reader calls the document: the statutory form's name from the catalogue, or "result"."""
    spec = FORMS.get(kind)
    return spec.short if spec is not None else RESULT_LABEL


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Tệp PDF có chữ ký số, tối đa 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Tệp vượt quá 20 MB / The file is larger than 20 MB."))
        return upload


def _report_for_upload(form: VerifyForm) -> dict[str, Any] | None:
    content = form.cleaned_data["file"].read()
    try:
        report = document_verify(content=content)
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return None
    report["sha256"] = hashlib.sha256(content).hexdigest()
    return report


@request_throttled(VERIFY_PER_IP)
def verify_upload(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _report_for_upload(form)
    return render(request, "signatures/verify.html", {"form": form, "report": report})


@request_throttled(VERIFY_PER_IP)
def verify_document(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The page the QR code opens: what we issued under this id, the report on our stored original, and
    a form to check one's own copy against it."""
    document = (
        IssuedDocument.objects.select_related("dossier__competent_agency").filter(public_id=public_id).first()
    )
    if document is None:
        raise Http404("Không tìm thấy văn bản / Document not found.")
    with document.file.open("rb") as handle:
        original = document_verify(content=handle.read())
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _report_for_upload(form)
        if report is not None:
            # This document, as issued or in an earlier version (before an archive time-stamp).
            same = issued_document_find(sha256=report["sha256"])
            report["matches_this_document"] = same is not None and same.pk == document.pk
    return render(
        request,
        "signatures/verify_document.html",
        {
            "document": document,
            "kind_label": kind_label(document.kind),
            "agency": document.dossier.competent_agency,
            "original": original,
            "form": form,
            "report": report,
        },
    )
