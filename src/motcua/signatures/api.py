"""POST /api/v1/verifications: anyone uploads a PDF (multipart field ``file``) and gets the report as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile

from motcua.core.errors import ApplicationError
from motcua.signatures.services import document_verify
from motcua.signatures.verification import MAX_BYTES

router = Router()


@router.post("", summary="Verify the signatures of a PDF")
def verification_create(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    if file.size is None or file.size > MAX_BYTES:
        raise ApplicationError("Tệp vượt quá 20 MB / The file is larger than 20 MB.", {"field": "file"})
    return document_verify(content=file.read())
