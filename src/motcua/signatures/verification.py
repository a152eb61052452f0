"""Verification report for any PDF: each signature, signer, chain to a trusted root, time-stamp, and
whether the document changed after signing. Used by the public page and POST /api/v1/verifications."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.core.errors import ApplicationError

MAX_BYTES = 20 * 1024 * 1024


def _load_certs(paths: list[Path]) -> list[asn1_x509.Certificate]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return [
        asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(p.read_bytes()).public_bytes(serialization.Encoding.DER)
        )
        for p in paths
    ]


def pdf_verify(
    *, pdf: bytes, trust_roots: list[Path], intermediates: list[Path], crls: list[Path] | None = None
) -> dict[str, Any]:
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
    # Revocation: the CRLs we hold plus what the document embeds (B-LT); no network fetching (tests, offline).
    crl_list = [asn1_crl.CertificateList.load(p.read_bytes()) for p in (crls or [])]
    context = ValidationContext(
        trust_roots=_load_certs(trust_roots),
        other_certs=_load_certs(intermediates),
        crls=crl_list,
        allow_fetching=False,
        revocation_mode="hard-fail" if crl_list else "soft-fail",
    )
    report = []
    for sig in embedded:
        status = validate_pdf_signature(sig, context)
        report.append(
            {
                "field": sig.field_name,
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
                # Adding validation data (B-LT/B-LTA) after signing is allowed; anything else is a change.
                "modified_after_signing": not status.intact
                or (
                    status.modification_level is not None
                    and status.modification_level.name not in ("NONE", "LTA_UPDATES")
                ),
                "revoked": bool(getattr(status, "revoked", False)),
                "summary": status.summary(),
            }
        )
    all_ok = bool(report) and all(r["intact"] and r["valid"] and r["trusted"] for r in report)
    return {"signatures": report, "signed": bool(report), "all_valid": all_ok}
