"""Writes and use-cases of the signatures app that more than one entry point shares."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.signatures.models import IssuedDocument
from motcua.signatures.trust import trust_material_current
from motcua.signatures.verification import pdf_verify

logger = logging.getLogger(__name__)


class StoredDocumentAlteredError(ApplicationError):
    """The stored file of an issued document no longer has the digest recorded when it was issued."""

    status_code = 500


def issued_document_content(document: IssuedDocument) -> bytes:
    """The bytes of an issued document as stored (local disk or object storage), checked against the SHA-256
    recorded when it was issued: an altered or damaged file is never handed out as ours."""
    with document.file.open("rb") as handle:
        content: bytes = handle.read()
    if hashlib.sha256(content).hexdigest() != document.sha256:
        logger.error(
            "issued document %s (%s): stored file %s altered", document.pk, document.kind, document.file.name
        )
        raise StoredDocumentAlteredError(
            _("Bản lưu của văn bản không còn nguyên vẹn; vui lòng liên hệ cơ quan giải quyết."),
            {"document": str(document.public_id)},
        )
    return content


def issued_document_find(*, sha256: str) -> IssuedDocument | None:
    """The document we issued whose file — now, or before the archive job added a time-stamp — has this
    digest. Earlier digests are kept in ``signed_by`` entries ``{"previous_sha256": …}`` (archive.py)."""
    fields = ("number", "kind", "public_id", "issued_at", "sha256")
    found = IssuedDocument.objects.filter(sha256=sha256).only(*fields).first()
    if found is not None:
        return found
    # Not indexed, but only archived documents are searched, and only when the exact digest missed.
    for candidate in IssuedDocument.objects.filter(
        archived_at__isnull=False, signed_by__icontains=sha256
    ).only(*fields, "signed_by"):
        if any(isinstance(e, dict) and e.get("previous_sha256") == sha256 for e in candidate.signed_by):
            return candidate
    return None


def document_verify(*, content: bytes) -> dict[str, Any]:
    """The verification report of an uploaded PDF (public page and API) against the trust list, plus
    whether this file is one we issued (in any of its versions). Raises ApplicationError for a file that is
    not a readable PDF."""
    material = trust_material_current()
    report = pdf_verify(
        pdf=content,
        trust_roots=material.roots,
        intermediates=material.intermediates,
        crls=material.crls,
        allow_fetching=settings.MOTCUA_REVOCATION_FETCHING,
    )
    digest = hashlib.sha256(content).hexdigest()
    original = issued_document_find(sha256=digest)
    report["issued_by_us"] = original is not None
    report["issued_number"] = original.number if original else ""
    report["issued_kind"] = original.kind if original else ""
    report["issued_at"] = original.issued_at.isoformat() if original else None
    # False for a copy taken before the archive job added a time-stamp: still ours, just not the newest.
    report["issued_latest_version"] = original is not None and original.sha256 == digest
    return report
