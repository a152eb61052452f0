from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

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
