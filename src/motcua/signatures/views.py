from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.http.response import HttpResponseBase
from django.urls import reverse

from motcua.core import clock
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier
from motcua.signatures.forms import FORMS, control_slip_data, receipt_data, register_data
from motcua.signatures.models import IssuedDocument
from motcua.signatures.render import document_render
from motcua.signatures.selectors import register_dossiers, register_scope
from motcua.signatures.services import StoredDocumentAlteredError, issued_document_content


def receipt_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    """Form 01 as PDF/A, for the staff who may read the dossier or its applicant."""
    dossier = _dossier_for_reader(request, code, target="receipt")
    if dossier.received_at is None:
        raise Http404
    signed = IssuedDocument.objects.filter(dossier=dossier, kind="01").order_by("-issued_at").first()
    if signed is not None:  # the electronic receipt, signed by the receiving official
        return _stored_pdf(signed, f"giay-hen-{dossier.code}.pdf")
    pdf = document_render(template="receipt", data=receipt_data(dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-hen-{dossier.code}.pdf"'
    return response


def result_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    """The signed result, for its applicant and the staff who may read the dossier."""
    dossier = _dossier_for_reader(request, code, target="result")
    document = IssuedDocument.objects.filter(dossier=dossier, kind="result").first()
    if document is None:
        raise Http404
    return _stored_pdf(document, f"ket-qua-{dossier.code}.pdf")


# --- Statutory forms 02–07 (Circular 03/2025/TT-VPCP) ------------------------------------------------


def _dossier_for_reader(request: HttpRequest, code: str, *, target: str) -> Dossier:
    """The applicant's own dossier, or one the staff member may read; anything else is a 404. The PDF
    download is logged (personal data: Law 91/2025/QH15, Decree 356/2025)."""
    user = request.user
    if not user.is_authenticated:  # an anonymous visitor reads no dossier: the same 404 as a missing one
        raise Http404
    try:
        dossier, _as_staff = selectors.dossier_get_for_reader(user=user, code=code, kind="pdf", target=target)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return dossier


def _stored_pdf(document: IssuedDocument, filename: str) -> HttpResponseBase:
    """An issued document as stored, its SHA-256 checked (an altered file answers 500, and is logged)."""
    try:
        content = issued_document_content(document)
    except StoredDocumentAlteredError as exc:
        return HttpResponseServerError(exc.message, content_type="text/plain; charset=utf-8")
    return FileResponse(io.BytesIO(content), content_type="application/pdf", filename=filename)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def form_pdf(request: HttpRequest, code: str, public_id: uuid.UUID) -> HttpResponseBase:
    """A form issued for the dossier (02–05), exactly as stored, for its applicant and its staff."""
    dossier = _dossier_for_reader(request, code, target=f"form {public_id}")
    document = (
        IssuedDocument.objects.filter(dossier=dossier, public_id=public_id).exclude(kind="result").first()
    )
    if document is None:
        raise Http404
    spec = FORMS.get(document.kind)
    filename = f"{spec.file_stem if spec else 'van-ban'}-{dossier.code}-{document.number.split('/')[0]}.pdf"
    return _stored_pdf(document, filename)


def control_slip_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Form 06, rendered now from the tasks and the timeline of the dossier."""
    dossier = _dossier_for_reader(request, code, target="control_slip")
    if dossier.received_at is None:
        raise Http404
    tasks = list(dossier.tasks.select_related("agency", "assignee").order_by("order", "pk"))
    events = list(selectors.dossier_timeline(dossier=dossier))
    data = control_slip_data(dossier, tasks=tasks, events=events, now=clock.now())
    return _pdf(document_render(template="control_slip", data=data), f"phieu-kiem-soat-{dossier.code}.pdf")


def register_pdf(request: HttpRequest) -> HttpResponse:
    """Form 07: the register extract of one of the user's agencies (``?agency=<e-ID code>``, default the
    first where they hold a role) for ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` (default: this month so far)."""
    user = request.user
    if not user.is_authenticated:  # an anonymous visitor holds no role: the same 404 as a foreign agency
        raise Http404
    try:
        agency, start, end = register_scope(
            user=user,
            agency_code=request.GET.get("agency", ""),
            start=request.GET.get("from", ""),
            end=request.GET.get("to", ""),
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        return HttpResponseBadRequest(exc.message)
    dossiers = register_dossiers(user=user, agency=agency, start=start, end=end)
    selectors.dossiers_access_record(
        user=user, dossiers=dossiers, kind="export", target=f"register {agency.code} {start}..{end}"
    )
    link = f"{settings.SITE_URL}{reverse('dossiers:register')}?from={start:%Y-%m-%d}&to={end:%Y-%m-%d}"
    data = register_data(agency=agency, dossiers=dossiers, start=start, end=end, now=clock.now(), link=link)
    return _pdf(
        document_render(template="register", data=data), f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    )
