"""Verification report for any PDF: each signature and document time-stamp (PAdES B-LTA), signer, chain to
a trusted root, time-stamp, the PAdES level, and whether the document changed after signing. Used by the
public page and POST /api/v1/verifications.

Signatures are checked by AdES long-term validation (ETSI EN 319 102-1 §5.6.3, pyHanko's
``ades_lta_validation``): the document time-stamps prove when the embedded validation data (DSS) existed,
so a signature made while its certificate was valid stays valid after the certificate expires.

The overall ``verdict`` is one of ``valid``, ``modified`` (the signed bytes changed, or something other
than validation data and archive time-stamps was added after a signature), ``invalid`` (a signature does
not verify, is not trusted or was revoked) and ``unsigned``; ``all_valid`` is true only for ``valid``."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.diff_analysis import SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.ades import AdESLTAValidationResult, ades_lta_validation
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    FreshnessReqType,
    RevocationCheckingPolicy,
)
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer

from motcua.core import clock
from motcua.core.errors import ApplicationError

MAX_BYTES = 20 * 1024 * 1024

# After a signature, a document may gain validation data and archive time-stamps (LTA_UPDATES) and further
# signatures in empty signature fields (FORM_FILLING: the agency signs after the leader) where the
# signature's DocMDP policy permits it; anything else (annotations, content) is a change.
ALLOWED_LATER_CHANGES = frozenset({"NONE", "LTA_UPDATES", "FORM_FILLING"})


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


def _reader(pdf: bytes) -> PdfFileReader:
    if len(pdf) > MAX_BYTES:
        raise ApplicationError(_("Tệp vượt quá 20 MB."), {"field": "file"})
    if not pdf.startswith(b"%PDF-"):
        raise ApplicationError(_("Tệp không phải PDF."), {"field": "file"})
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            raise ApplicationError(_("Tệp PDF bị mã hóa, không kiểm tra được."), {"field": "file"})
        list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ApplicationError(_("Tệp PDF bị hỏng."), {"field": "file", "detail": str(exc)}) from exc
    return reader


def pdf_verify(
    *,
    pdf: bytes,
    trust_roots: Sequence[Path | asn1_x509.Certificate],
    intermediates: Sequence[Path | asn1_x509.Certificate],
    crls: Sequence[Path | asn1_crl.CertificateList] | None = None,
    allow_fetching: bool = False,
) -> dict[str, Any]:
    """Certificates and CRLs as files (PEM / DER) or asn1crypto objects (the trust list). Validation time:
    now (``core.clock``)."""
    reader = _reader(pdf)
    from motcua.signatures.trust import TrustMaterial, validation_context_for

    material = TrustMaterial(
        roots=_load_certs(trust_roots), intermediates=_load_certs(intermediates), crls=_load_crls(crls or [])
    )
    now = clock.now()
    context = validation_context_for(material, fetching=allow_fetching)
    levels = _pades_levels(reader)
    report = []
    try:
        for sig in reader.embedded_signatures:
            if sig.sig_object_type == "/DocTimeStamp":
                report.append(_document_timestamp_entry(sig, context))
            else:
                entry = _signature_entry(
                    sig, material=material, context=context, fetching=allow_fetching, now=now
                )
                entry["pades_level"] = levels.get(sig.field_name, "")
                report.append(entry)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        # A damaged file can parse far enough to list its signatures and still break on the bytes they
        # cover: that is a corrupt (or tampered) file, not a server error.
        raise ApplicationError(
            _("Tệp PDF bị hỏng hoặc đã bị sửa đổi."),
            {"field": "file", "detail": str(exc)},
        ) from exc
    signatures = [r for r in report if r["kind"] == "signature"]
    changes = _changes(reader, report)
    modified = bool(changes)
    if not signatures:
        verdict = "unsigned"
    elif modified:
        verdict = "modified"
    # A certificate revoked after the signature's proven time does not undo it (ETSI EN 319 102-1 past
    # validation): ``trusted`` already says whether the revocation came first; the row shows both.
    elif all(r["valid"] and r["trusted"] for r in signatures):
        verdict = "valid"
    else:
        verdict = "invalid"
    return {
        "signatures": report,
        "signed": bool(report),
        "verdict": verdict,
        "all_valid": verdict == "valid",
        "modified_after_signing": modified,
        "changes": changes,
        # Below B-LT the file no longer carries what a validator needs once the certificates expire.
        "long_term_data_missing": [
            r["field"] for r in signatures if r["pades_level"] in ("B-B", "B-T") and r["valid"]
        ],
        "validated_at": now.isoformat(),
    }


def _policy(material: Any, fetching: bool) -> CertValidationPolicySpec:
    # Revocation is required when we hold CRLs or may fetch them, as in trust.validation_context_for;
    # a trust list without any revocation data would otherwise reject every signature.
    checking = (
        REQUIRE_REVINFO if (material.crls or fetching) else RevocationCheckingPolicy.from_legacy("soft-fail")
    )
    return CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=material.roots),
        revinfo_policy=CertRevTrustPolicy(
            checking,
            freshness=None,
            freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
        ),
    )


def _crls_for(
    signer: asn1_x509.Certificate, crls: list[asn1_crl.CertificateList], now: dt.datetime
) -> list[asn1_crl.CertificateList]:
    """The CRLs that may speak about ``signer``: a CA drops a certificate from its CRLs once it has
    expired (RFC 5280 §3.3), so a CRL of its issuer published after that proves nothing about it and would
    keep the past validation from sliding back to when it was valid."""
    not_after = signer.not_valid_after
    if not_after >= now:
        return crls
    return [
        crl
        for crl in crls
        if crl["tbs_cert_list"]["issuer"] != signer.issuer
        or crl["tbs_cert_list"]["this_update"].native <= not_after
    ]


def _signature_entry(
    sig: EmbeddedPdfSignature, *, material: Any, context: ValidationContext, fetching: bool, now: dt.datetime
) -> dict[str, Any]:
    # At the current time first (with the difference analysis, once): a signature that validates now
    # passes AdES long-term validation at its first step too, and this costs a third of it.
    status: Any = validate_pdf_signature(sig, context)
    mode = "current_time"
    existed_at = status.timestamp_validity.timestamp if status.timestamp_validity is not None else None
    indication = "PASSED" if status.bottom_line else "INDETERMINATE"
    trusted = bool(status.intact and status.valid and status.trusted and not status.revoked)
    if status.intact and status.valid and not trusted:
        # An expired or since-revoked certificate, stale revocation data: what the document's time-stamps
        # and embedded validation data prove (ETSI EN 319 102-1 §5.6.3).
        result = _long_term_validation(sig, material=material, fetching=fetching, now=now)
        status = result.api_status or status
        mode = "long_term"
        indication = result.ades_subindic.status.name
        trusted = result.ades_subindic == AdESPassed.OK
        existed_at = result.best_signature_time or existed_at
    cert = status.signing_cert
    timestamp = status.timestamp_validity
    level = status.modification_level.name if status.modification_level else ""
    intact = bool(status.intact)
    return {
        "field": sig.field_name,
        "kind": "signature",
        "signer": _common_name(cert),
        "signer_subject": cert.subject.human_friendly if cert is not None else "",
        "intact": intact,
        # The signature value checks out *over these bytes*: a digest that does not match is not valid.
        "valid": intact and bool(status.valid),
        "trusted": trusted,
        # "long_term": proven through the time-stamps and embedded validation data (AdES LTA).
        "validated_by": mode,
        "ades_indication": indication,
        "signed_at": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        "timestamp": timestamp.timestamp.isoformat() if timestamp is not None else None,
        "timestamp_trusted": bool(timestamp and timestamp.trusted),
        # The earliest time the signature is proven to have existed.
        "existed_at": existed_at.isoformat() if existed_at else None,
        "coverage": status.coverage.name if status.coverage else "",
        "modification_level": level,
        "modified_after_signing": _modified_after_signing(status),
        "modification_detail": (
            str(status.diff_result) if isinstance(status.diff_result, SuspiciousModification) else ""
        ),
        "revoked": bool(status.revoked),
        **_certificate_dates(cert, now),
    }


def _long_term_validation(
    sig: EmbeddedPdfSignature, *, material: Any, fetching: bool, now: dt.datetime
) -> AdESLTAValidationResult:
    spec = PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=_policy(material, fetching),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=(
                    RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                    if fetching
                    else RevinfoOnlineFetchingRule.LOCAL_ONLY
                )
            ),
            local_knowledge=LocalKnowledge(
                known_certs=list(material.intermediates),
                known_crls=[CRLContainer(c) for c in _crls_for(sig.signer_cert, material.crls, now)],
            ),
        ),
        # The difference analysis already ran (validate_pdf_signature keeps it on ``sig``); inside the LTA
        # validation it would run again for every time-stamp of the chain.
        diff_policy=None,
    )
    timing = ValidationTimingInfo(now, now, point_in_time_validation=False)
    return asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))


def _common_name(cert: asn1_x509.Certificate | None) -> str:
    """The signer as a reader knows them: the certificate's common name."""
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name", "") or cert.subject.human_friendly)


def _modified_after_signing(status: Any) -> bool:
    level = status.modification_level
    return (
        not status.intact
        or status.docmdp_ok is False
        or isinstance(getattr(status, "diff_result", None), SuspiciousModification)
        or (level is not None and level.name not in ALLOWED_LATER_CHANGES)
    )


def _document_timestamp_entry(sig: EmbeddedPdfSignature, context: ValidationContext) -> dict[str, Any]:
    """A document time-stamp (PAdES B-LTA archive stamp): who stamped, when, and whether it still holds."""
    # Changes after it are judged by the signatures' difference analysis, which covers every later revision.
    status = validate_pdf_timestamp(sig, context, skip_diff=True)
    return {
        "field": sig.field_name,
        "kind": "document_timestamp",
        "signer": _common_name(status.signing_cert),
        "intact": bool(status.intact),
        "valid": bool(status.intact and status.valid),
        "trusted": bool(status.trusted),
        "signed_at": status.timestamp.isoformat() if status.timestamp else None,
        "timestamp": status.timestamp.isoformat() if status.timestamp else None,
        "timestamp_trusted": bool(status.trusted),
        "coverage": status.coverage.name if status.coverage else "",
        "modification_level": status.modification_level.name if status.modification_level else "",
        "modified_after_signing": _modified_after_signing(status),
        "revoked": bool(getattr(status, "revoked", False)),
    }


def _certificate_dates(cert: asn1_x509.Certificate | None, now: dt.datetime) -> dict[str, Any]:
    """Until when the signer's certificate was valid, and whether that is past (long-term validation keeps
    such a signature valid: the time-stamps prove it was made in time)."""
    if cert is None:
        return {"certificate_valid_until": None, "certificate_expired": False}
    not_after = cert.not_valid_after
    return {"certificate_valid_until": not_after.isoformat(), "certificate_expired": not_after < now}


def _pades_levels(reader: PdfFileReader) -> dict[str, str]:
    """The PAdES baseline level each signature reaches in this file (ETSI EN 319 142-1): B-B signed,
    B-T with a signature time-stamp, B-LT when a later revision's DSS holds revocation data for it, B-LTA
    when a document time-stamp covers that data."""
    dss = reader.root.get("/DSS")
    dss = dss.get_object() if dss is not None else None
    dss_revocation = bool(dss is not None and (dss.get("/CRLs") or dss.get("/OCSPs")))
    vri = dss.get("/VRI") if dss is not None else None
    vri = vri.get_object() if vri is not None else None
    stamps = [s.signed_revision for s in reader.embedded_timestamp_signatures]
    levels = {}
    for sig in reader.embedded_regular_signatures:
        level = "B-B"
        if next(extract_tst_data_iter(sig.signer_info, signed=False), None) is not None:
            level = "B-T"
            has_data = dss_revocation and (vri is None or any(f"/{key}" in vri for key in _vri_keys(sig)))
            if has_data and _dss_revision(reader) > sig.signed_revision:
                level = "B-LT"
                # The DSS for a signature is written before the time-stamp that then covers it.
                if any(revision > sig.signed_revision for revision in stamps):
                    level = "B-LTA"
        levels[sig.field_name] = level
    return levels


def _vri_keys(sig: EmbeddedPdfSignature) -> tuple[str, str]:
    """The signature's /VRI key in the DSS: SHA-1 of its contents (PAdES), as written at signing and,
    by pyHanko's later DSS updates, of their hexadecimal form."""
    raw = sig.pkcs7_content
    return (
        hashlib.sha1(raw).hexdigest().upper(),  # noqa: S324 — the key PAdES prescribes
        hashlib.sha1(raw.hex().encode("ascii")).hexdigest().upper(),  # noqa: S324
    )


def _dss_revision(reader: PdfFileReader) -> int:
    """The last revision that wrote the DSS dictionary (-1 when there is none)."""
    ref = reader.root.raw_get("/DSS") if "/DSS" in reader.root else None
    if isinstance(ref, generic.IndirectObject):
        revision: int = reader.xrefs.get_last_change(ref.reference)
        return revision
    # An inline DSS changes with the catalogue.
    return reader.xrefs.total_revisions - 1 if ref is not None else -1


def _changes(reader: PdfFileReader, report: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What changed after signing, in words a reader can check against the printed copy."""
    changes: list[dict[str, str]] = []
    if any(not r["intact"] for r in report):
        changes.append({"code": "signed_content_altered", "detail": ""})
    suspicious = [
        r for r in report if r["kind"] == "signature" and r["intact"] and r["modified_after_signing"]
    ]
    if not suspicious:
        return changes
    # The last signature's revision is the reference: everything after it should be LTA updates only.
    last = reader.embedded_regular_signatures[-1]
    found = _page_changes(reader, last.signed_revision)
    detail = next((r.get("modification_detail", "") for r in suspicious if r.get("modification_detail")), "")
    if not found:
        found = [{"code": "other_objects_changed", "detail": ""}]
    for change in found:
        change["detail"] = detail
    return changes + found


def _page_changes(reader: PdfFileReader, revision: int) -> list[dict[str, str]]:
    """Annotations added and page contents replaced since ``revision``, page by page."""
    try:
        old_pages = _pages(reader.get_historical_root(revision))
        new_pages = _pages(reader.root)
    except (PdfReadError, KeyError, TypeError, ValueError):
        return []
    found = []
    for number, (old, new) in enumerate(zip(old_pages, new_pages, strict=False), start=1):
        if _contents_changed(reader, old.raw_get("/Contents"), new.raw_get("/Contents"), revision):
            found.append({"code": "page_content_changed", "page": str(number)})
        before = {_ref(a) for a in old.get("/Annots", [])}
        for annot in new.get("/Annots", []):
            if _ref(annot) in before:
                continue
            subtype = str(annot.get_object().get("/Subtype", "")).lstrip("/")
            if subtype != "Widget":  # a signature field's widget is form filling, reported elsewhere
                found.append({"code": "annotation_added", "page": str(number), "annotation": subtype})
    if len(new_pages) != len(old_pages):
        found.append({"code": "pages_changed", "page": ""})
    return found


def _contents_changed(reader: PdfFileReader, old: Any, new: Any, revision: int) -> bool:
    """The page's content streams are others than at ``revision``, or one of them was rewritten since."""
    if _refs(old) != _refs(new):
        return True
    return any(reader.xrefs.get_last_change(ref) > revision for ref in _refs(new) if ref is not None)


def _refs(value: Any) -> list[Any]:
    if isinstance(value, generic.IndirectObject):
        target = value.get_object()
        if isinstance(target, generic.ArrayObject):
            return [value.reference, *(_refs(item)[0] for item in target)]
        return [value.reference]
    if isinstance(value, generic.ArrayObject):
        return [_refs(item)[0] for item in value]
    return [None]


def _ref(value: Any) -> Any:
    return value.reference if isinstance(value, generic.IndirectObject) else id(value)


def _pages(root: Any) -> list[Any]:
    pages: list[Any] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            for kid in node["/Kids"]:
                walk(kid)
        else:
            pages.append(node)

    walk(root["/Pages"])
    return pages
