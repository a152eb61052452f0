from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from motcua.core.errors import NotFoundError
from motcua.dossiers import selectors
from motcua.signatures.forms import receipt_data
from motcua.signatures.render import document_render


def receipt_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Form 01 as PDF/A, for the staff who may read the dossier or its applicant."""
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFoundError:
        try:
            dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
    if dossier.received_at is None:
        raise Http404
    pdf = document_render(template="receipt", data=receipt_data(dossier))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-hen-{dossier.code}.pdf"'
    return response


def result_pdf(request: HttpRequest, code: str) -> HttpResponseBase:
    """The signed result, for its applicant and the staff who may read the dossier."""
    from django.http import FileResponse

    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError:
        try:
            dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
    from motcua.signatures.models import IssuedDocument

    document = IssuedDocument.objects.filter(dossier=dossier, kind="result").first()
    if document is None:
        raise Http404
    return FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=f"ket-qua-{dossier.code}.pdf"
    )
