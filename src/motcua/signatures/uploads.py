"""Signed PDFs that applicants attach (an e-form signed with their public digital signature, a licence
another agency issued) are verified when they are uploaded; the report is kept with the file, so the
clerk sees at intake whether each signature holds, and the record survives later CA changes."""

from __future__ import annotations

from typing import Any

from motcua.core import clock
from motcua.core.errors import ApplicationError

# Kept per signature: what a clerk needs to decide, not pyHanko's whole status.
_KEPT = ("field", "signer", "intact", "valid", "trusted", "revoked", "signed_at", "timestamp")


def uploaded_pdf_signature_report(content: bytes) -> dict[str, Any]:
    from motcua.signatures.services import document_verify

    checked_at = clock.now().isoformat()
    try:
        report = document_verify(content=content)
    except ApplicationError as exc:
        return {"checked_at": checked_at, "signed": True, "all_valid": False, "error": exc.message}
    return {
        "checked_at": checked_at,
        "signed": report["signed"],
        "all_valid": report["all_valid"],
        "modified_after_signing": any(s.get("modified_after_signing") for s in report["signatures"]),
        "signatures": [{k: s.get(k) for k in _KEPT} for s in report["signatures"]],
    }
