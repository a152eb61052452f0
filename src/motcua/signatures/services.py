"""Writes and use-cases of the signatures app that more than one entry point shares."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings

from motcua.signatures.models import IssuedDocument
from motcua.signatures.verification import pdf_verify


def trust_files() -> tuple[list[Path], list[Path], list[Path]]:
    """The trusted roots (demo: the provincial test root). The managed trust list replaces this."""
    directory = Path(settings.MOTCUA_PKI_DIR)
    roots = sorted(directory.glob("root*.crt.pem"))
    intermediates = sorted(directory.glob("issuing*.crt.pem"))
    return roots, intermediates, sorted(directory.glob("*.crl.der"))


def document_verify(*, content: bytes) -> dict[str, Any]:
    """The verification report of an uploaded PDF (public page and API), plus whether this exact file is
    one we issued. Raises ApplicationError for a file that is not a readable PDF."""
    roots, intermediates, crls = trust_files()
    report = pdf_verify(pdf=content, trust_roots=roots, intermediates=intermediates, crls=crls)
    original = (
        IssuedDocument.objects.filter(sha256=hashlib.sha256(content).hexdigest())
        .only("number", "kind", "public_id", "issued_at")
        .first()
    )
    report["issued_by_us"] = original is not None
    report["issued_number"] = original.number if original else ""
    report["issued_kind"] = original.kind if original else ""
    report["issued_at"] = original.issued_at.isoformat() if original else None
    return report
