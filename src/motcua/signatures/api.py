"""POST /api/v1/verifications: anyone uploads a PDF (multipart field ``file``) and gets the report as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile

from motcua.core.errors import ApplicationError
from motcua.core.throttle import VERIFY_PER_IP, ThrottledError, throttle_request, throttled_response
from motcua.signatures.services import document_verify
from motcua.signatures.verification import MAX_BYTES

router = Router()


@router.post("", summary="Verify the signatures of a PDF")
def verification_create(request: HttpRequest, file: File[UploadedFile]) -> Any:
    # Anonymous and CPU-heavy (~0.2 s a signed PDF): a few per address (MOTCUA_THROTTLE_VERIFY_PER_IP).
    try:
        throttle_request(request, VERIFY_PER_IP)
    except ThrottledError as error:
        return throttled_response(error)
    if file.size is None or file.size > MAX_BYTES:
        raise ApplicationError(_("Tệp vượt quá 20 MB."), {"field": "file"})
    return document_verify(content=file.read())
