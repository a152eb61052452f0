"""The public verification page (/xac-minh/): anyone uploads a PDF, or follows the QR code printed on a
document we issued, and reads the report — each signature, signer, chain to a trusted root, revocation,
time-stamp, whether the file changed after signing and whether it is the original we issued."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from motcua.core import clock
from motcua.core.clock import VIETNAM_TZ
from motcua.core.errors import ApplicationError
from motcua.core.throttle import VERIFY_PER_IP, request_throttled
from motcua.signatures.forms import FORMS
from motcua.signatures.models import IssuedDocument
from motcua.signatures.services import document_verify, issued_document_find
from motcua.signatures.verification import MAX_BYTES

RESULT_LABEL = "Kết quả giải quyết thủ tục hành chính"

# What a reader sees instead of pyHanko's codes and our internal field names.
MODIFICATION_LABELS = {
    "NONE": _("Không có thay đổi"),
    "LTA_UPDATES": _("Chỉ bổ sung dữ liệu xác thực và dấu thời gian lưu trữ (được phép)"),
    "FORM_FILLING": _("Ký tiếp vào ô chữ ký còn trống, bổ sung dữ liệu xác thực (được phép)"),
    "ANNOTATIONS": _("Thêm chú thích lên văn bản"),
    "OTHER": _("Thay đổi nội dung hoặc cấu trúc tệp"),
}
CHANGE_LABELS = {
    "signed_content_altered": _("Nội dung đã ký bị sửa: mã băm không còn khớp với chữ ký."),
    "annotation_added": _("Thêm chú thích (%(annotation)s) lên trang %(page)s sau khi ký."),
    "page_content_changed": _("Nội dung trang %(page)s bị thay đổi sau khi ký."),
    "pages_changed": _("Số trang bị thay đổi sau khi ký."),
    "other_objects_changed": _("Tệp bị thay đổi sau khi ký (ngoài dữ liệu xác thực và dấu thời gian)."),
}
FIELD_LABELS = {
    "ChuKyLanhDao": _("Chữ ký số của người có thẩm quyền"),
    "ChuKyCoQuan": _("Chữ ký số của cơ quan"),
}
VERDICT_LABELS = {
    "valid": _("Tất cả chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký."),
    "modified": _("Tài liệu đã bị thay đổi sau khi ký."),
    "invalid": _("Có chữ ký số không hợp lệ hoặc không được tin cậy."),
    "unsigned": _("Tệp không có chữ ký số."),
}


def _when(value: str | None) -> str:
    """ISO time → dd/mm/yyyy HH:MM in Vietnam time."""
    if not value:
        return ""
    return f"{dt.datetime.fromisoformat(value).astimezone(VIETNAM_TZ):%d/%m/%Y %H:%M}"


def report_display(report: dict[str, Any]) -> dict[str, Any]:
    """The report with what the page shows: labels for the codes, times as dd/mm/yyyy HH:MM, a role for
    each signature field."""
    rows = []
    signature_number = 0
    for entry in report["signatures"]:
        row = dict(entry)
        if entry["kind"] == "signature":
            signature_number += 1
            row["label"] = FIELD_LABELS.get(entry["field"]) or _("Chữ ký số %(n)s") % {"n": signature_number}
        else:
            row["label"] = _("Dấu thời gian lưu trữ")
        row["modification_label"] = MODIFICATION_LABELS.get(entry["modification_level"], "")
        row["signed_at_display"] = _when(entry.get("timestamp") or entry.get("signed_at"))
        row["valid_until_display"] = _when(entry.get("certificate_valid_until"))
        rows.append(row)
    changes = [
        {"text": CHANGE_LABELS[c["code"]] % c, "detail": c.get("detail", "")}
        for c in report.get("changes", [])
        if c["code"] in CHANGE_LABELS
    ]
    return {
        **report,
        "rows": rows,
        "verdict_label": VERDICT_LABELS.get(report.get("verdict", ""), ""),
        "change_lines": changes,
    }


def id_number_masked(number: str) -> str:
    """All but the last four digits hidden: enough for a reader to compare with the paper in hand."""
    number = (number or "").strip()
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


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
            raise forms.ValidationError(_("Tệp vượt quá 20 MB."))
        return upload


def _report_for_upload(form: VerifyForm) -> dict[str, Any] | None:
    content = form.cleaned_data["file"].read()
    try:
        report = document_verify(content=content)
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return None
    report["sha256"] = hashlib.sha256(content).hexdigest()
    return report_display(report)


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
        raise Http404(_("Không tìm thấy văn bản."))
    with document.file.open("rb") as handle:
        original = report_display(document_verify(content=handle.read()))
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
            "dossier": document.dossier,
            "holder_id_masked": id_number_masked(document.dossier.applicant_id_number),
            "original": original,
            "form": form,
            "report": report,
        },
    )


def crl_download(request: HttpRequest, name: str) -> HttpResponse:
    """The current CRL of a demo CA (DER), where its certificates say to fetch it: any validator (pyHanko's
    ``sign validate``, Adobe, poppler) checks revocation online. Re-issued here when it is about to go stale,
    so it is never past its nextUpdate."""
    from django.conf import settings
    from django.utils.http import http_date

    from motcua.signatures.pki import DEMO_CAS, demo_crls_refresh_if_stale

    directory = Path(settings.MOTCUA_PKI_DIR)
    path = directory / f"{name}.crl.der"
    if name not in DEMO_CAS or not path.exists():
        raise Http404(_("Không có danh sách thu hồi này."))
    demo_crls_refresh_if_stale(directory, margin=dt.timedelta(days=1))
    data = path.read_bytes()
    crl = x509.load_der_x509_crl(data)
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Content-Disposition"] = f'attachment; filename="{name}.crl"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Last-Modified"] = http_date(crl.last_update_utc.timestamp())
    next_update = crl.next_update_utc
    if next_update is not None:
        response["Expires"] = http_date(next_update.timestamp())
    # Caches may keep it an hour (a revocation shows within the hour), never past its nextUpdate.
    seconds = (
        3600 if next_update is None else max(0, min(3600, int((next_update - clock.now()).total_seconds())))
    )
    response["Cache-Control"] = f"public, max-age={seconds}"
    return response
