"""POST /api/v1/verifications: anyone uploads a PDF (multipart field ``file``) and gets the report as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile

from motcua.core.errors import ApplicationError
from motcua.signatures.verification import pdf_verify

router = Router()


def trust_files() -> tuple[list[Path], list[Path], list[Path]]:
    """The trusted roots (demo: the provincial test root). The managed trust list is the next step."""
    directory = Path(settings.MOTCUA_PKI_DIR)
    roots = sorted(directory.glob("root*.crt.pem"))
    intermediates = sorted(directory.glob("issuing*.crt.pem"))
    return roots, intermediates, sorted(directory.glob("*.crl.der"))


@router.post("", summary="Verify the signatures of a PDF")
def verification_create(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    if file.size is None or file.size > 20 * 1024 * 1024:
        raise ApplicationError("Tệp vượt quá 20 MB / The file is larger than 20 MB.", {"field": "file"})
    import hashlib

    from motcua.signatures.models import IssuedDocument

    roots, intermediates, crls = trust_files()
    content = file.read()
    report = pdf_verify(pdf=content, trust_roots=roots, intermediates=intermediates, crls=crls)
    original = IssuedDocument.objects.filter(sha256=hashlib.sha256(content).hexdigest()).first()
    # Whether this exact file is one we issued (and which), beyond what the signatures say.
    report["issued_by_us"] = original is not None
    report["issued_number"] = original.number if original else ""
    return report
