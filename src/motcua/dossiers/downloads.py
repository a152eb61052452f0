"""Uploaded components (DossierFile), served to those who may read the dossier: the staff who judge it
(desk) and its applicant. Same rules as the dossier pages — the permission-checked selectors, a 404 for
anyone else — and images of identity documents only to the one-stop clerk and the specialist handling
the step (``selectors.officer_may_open_identity_documents``). Every read is logged (DossierAccessLog,
kind ``file``).

The bytes come from citizens, so the response never lets a browser treat them as a page: attachment by
default; ``?inline=1`` only for a PDF, PNG or JPEG whose first bytes are what its type says and that does
not look like HTML; the type pinned, ``nosniff``, a sandboxing CSP, never cached."""

from __future__ import annotations

import re
from typing import IO, Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.core.errors import NotFoundError
from motcua.dossiers import selectors
from motcua.dossiers.models import AccessKind, Dossier, DossierFile
from motcua.dossiers.sensitive import dossier_file_open

# The types a browser may show in place, each with the bytes its files start with.
INLINE_TYPES: dict[str, bytes] = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
# Markup in the first KiB: a polyglot (a PDF or image header followed by HTML) is never shown in place.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|meta|object|embed)\b", re.IGNORECASE)
_SNIFF_BYTES = 1024

# Nothing runs, nothing loads: the document is in a unique origin without scripts, forms or plugins.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
# Chrome refuses to start its PDF viewer in a sandboxed document (crbug.com/413851), so an inline PDF gets
# the same policy without ``sandbox``: the type is pinned to application/pdf and checked, so the browser
# shows a PDF or nothing; the viewer runs a PDF's own JavaScript apart from the page.
PDF_INLINE_CSP = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def file_response(handle: IO[bytes], *, filename: str, content_type: str, inline_asked: bool) -> FileResponse:
    """A FileResponse (streamed) for untrusted bytes, with the headers the module docstring lists."""
    head = handle.read(_SNIFF_BYTES)
    handle.seek(0)
    magic = INLINE_TYPES.get(content_type)
    genuine = magic is not None and head.startswith(magic) and not _MARKUP.search(head)
    inline = inline_asked and genuine
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type if genuine else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = (
        PDF_INLINE_CSP if inline and content_type == "application/pdf" else SANDBOX_CSP
    )
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _serve(request: AuthenticatedHttpRequest, *, dossier: Dossier, stored: DossierFile) -> FileResponse:
    selectors.dossier_access_record(
        user=request.user,
        dossier=dossier,
        kind=AccessKind.FILE,
        target=f"{stored.component.name[:120]}: {stored.original_name}",
    )
    return file_response(
        dossier_file_open(stored),
        filename=stored.original_name,
        content_type=stored.content_type,
        inline_asked=request.GET.get("inline") == "1",
    )


@login_required
@require_GET
def desk_file(request: AuthenticatedHttpRequest, code: str, file_id: int) -> Any:
    """An uploaded file, for the staff who may read the dossier (desk page)."""
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code, audit=False)
        stored = selectors.dossier_file_get(
            dossier=dossier, file_id=file_id, as_officer=True, user=request.user
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return _serve(request, dossier=dossier, stored=stored)


@login_required
@require_GET
def my_file(request: AuthenticatedHttpRequest, code: str, file_id: int) -> Any:
    """An uploaded file of the applicant's own dossier."""
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
        stored = selectors.dossier_file_get(
            dossier=dossier, file_id=file_id, as_officer=False, user=request.user
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return _serve(request, dossier=dossier, stored=stored)
