"""Verification report for any PDF: each signature and document time-stamp (PAdES B-LTA), signer, chain to
a trusted root, time-stamp, and whether the document changed after signing. Used by the public page and
POST /api/v1/verifications."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from motcua.core import clock
from motcua.core.errors import ApplicationError

MAX_BYTES = 20 * 1024 * 1024


def _load_certs(items: Sequence[Path | asn1_x509.Certificate]) -> list[asn1_x509.Certificate]:
    from motcua.signatures.trust import asn1_certificate

    return [
        item if isinstance(item, asn1_x509.Certificate) else asn1_certificate(item.read_text())
        for item in items
    ]


def _load_crls(items: Sequence[Path | asn1_crl.CertificateList]) -> list[asn1_crl.CertificateList]:
    return [
        item
        if isinstance(item, asn1_crl.CertificateList)
        else asn1_crl.CertificateList.load(item.read_bytes())
        for item in items
    ]


def pdf_verify(
    *,
    pdf: bytes,
    trust_roots: Sequence[Path | asn1_x509.Certificate],
    intermediates: Sequence[Path | asn1_x509.Certificate],
    crls: Sequence[Path | asn1_crl.CertificateList] | None = None,
    allow_fetching: bool = False,
) -> dict[str, Any]:
    """Certificates and CRLs as files (PEM / DER) or asn1crypto objects (the trust list)."""
    if len(pdf) > MAX_BYTES:
        raise ApplicationError("Tệp vượt quá 20 MB / The file is larger than 20 MB.", {"field": "file"})
    if not pdf.startswith(b"%PDF-"):
        raise ApplicationError("Tệp không phải PDF / The file is not a PDF.", {"field": "file"})
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise ApplicationError(
                "Tệp PDF bị mã hóa, không kiểm tra được / The PDF is encrypted.", {"field": "file"}
            )
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ApplicationError(
            "Tệp PDF bị hỏng / The PDF is corrupt.", {"field": "file", "detail": str(exc)}
        ) from exc
    # Revocation: the CRLs we hold plus what the document embeds (B-LT); fetching only when asked
    # (MOTCUA_REVOCATION_FETCHING), never in tests.
    from motcua.signatures.trust import TrustMaterial, validation_context_for

    material = TrustMaterial(
        roots=_load_certs(trust_roots), intermediates=_load_certs(intermediates), crls=_load_crls(crls or [])
    )
    context = validation_context_for(material, fetching=allow_fetching)
    report = []
    for sig in embedded:
        if sig.sig_object_type == "/DocTimeStamp":
            report.append(_document_timestamp_entry(sig, context))
            continue
        try:
            status = validate_pdf_signature(sig, context)
        except (PdfReadError, ValueError, KeyError, TypeError) as exc:
            # A damaged file can parse far enough to list its signatures and still break on the bytes
            # they cover: that is a corrupt (or tampered) file, not a server error.
            raise ApplicationError(
                "Tệp PDF bị hỏng hoặc đã bị sửa đổi / The PDF is corrupt or was altered.",
                {"field": "file", "detail": str(exc)},
            ) from exc
        report.append(
            {
                "field": sig.field_name,
                "kind": "signature",
                "signer": status.signing_cert.subject.human_friendly if status.signing_cert else "",
                "intact": bool(status.intact),
                "valid": bool(status.valid),
                "trusted": bool(status.trusted),
                "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                "timestamp": (
                    status.timestamp_validity.timestamp.isoformat()
                    if status.timestamp_validity is not None
                    else None
                ),
                "timestamp_trusted": bool(status.timestamp_validity and status.timestamp_validity.trusted),
                "coverage": status.coverage.name if status.coverage else "",
                "modification_level": status.modification_level.name if status.modification_level else "",
                "modified_after_signing": _modified_after_signing(status),
                "revoked": bool(getattr(status, "revoked", False)),
                **_certificate_dates(status.signing_cert),
                "summary": status.summary(),
            }
        )
    # A document time-stamp alone is not a signature: "all valid" needs at least one real signature.
    all_ok = any(r["kind"] == "signature" for r in report) and all(
        r["intact"] and r["valid"] and r["trusted"] for r in report
    )
    return {"signatures": report, "signed": bool(report), "all_valid": all_ok}


# After a signature, a document may gain validation data and archive time-stamps (LTA_UPDATES) and further
# signatures in empty signature fields (FORM_FILLING: the agency signs after the leader) where the
# signature's DocMDP policy permits it; anything else (annotations, content) is a change.
ALLOWED_LATER_CHANGES = frozenset({"NONE", "LTA_UPDATES", "FORM_FILLING"})


def _modified_after_signing(status: Any) -> bool:
    level = status.modification_level
    return (
        not status.intact
        or status.docmdp_ok is False
        or (level is not None and level.name not in ALLOWED_LATER_CHANGES)
    )


def _document_timestamp_entry(sig: EmbeddedPdfSignature, context: ValidationContext) -> dict[str, Any]:
    """A document time-stamp (PAdES B-LTA archive stamp): who stamped, when, and whether it still holds."""
    status = validate_pdf_timestamp(sig, context)
    return {
        "field": sig.field_name,
        "kind": "document_timestamp",
        "signer": status.signing_cert.subject.human_friendly if status.signing_cert else "",
        "intact": bool(status.intact),
        "valid": bool(status.valid),
        "trusted": bool(status.trusted),
        "signed_at": status.timestamp.isoformat() if status.timestamp else None,
        "timestamp": status.timestamp.isoformat() if status.timestamp else None,
        "timestamp_trusted": bool(status.trusted),
        "coverage": status.coverage.name if status.coverage else "",
        "modification_level": status.modification_level.name if status.modification_level else "",
        "modified_after_signing": _modified_after_signing(status),
        "revoked": bool(getattr(status, "revoked", False)),
        "summary": status.summary(),
    }


def _certificate_dates(cert: asn1_x509.Certificate | None) -> dict[str, Any]:
    """Until when the signer's certificate was valid, and whether that is past: an expired certificate
    is why an old signature stops being "trusted" today even though its time-stamp proves it was made in
    time (the B-LTA archive chain is what keeps such documents verifiable)."""
    if cert is None:
        return {"certificate_valid_until": None, "certificate_expired": False}
    not_after = cert.not_valid_after
    return {"certificate_valid_until": not_after.isoformat(), "certificate_expired": not_after < clock.now()}
