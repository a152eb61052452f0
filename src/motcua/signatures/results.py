"""The result document of a dossier: rendered as PDF/A, signed by the leader who approved it (personal
signature) and by the agency when the clerical officer issues it (Decree 30/2020; domain-vn §2.6).

Signing happens inside the issue transaction: if it fails, nothing is stored and the dossier stays
approved."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.files.base import ContentFile

from motcua.core import clock
from motcua.core.clock import VIETNAM_TZ
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.signatures.models import IssuedDocument
from motcua.signatures.render import document_render
from motcua.signatures.signing import PkiFiles, SigningError, SoftwareSigner

TITLES = {
    "licence": "Giấy phép",
    "certificate": "Giấy chứng nhận",
    "decision": "Quyết định",
    "extract": "Trích lục",
    "other": "Văn bản",
}


def result_data(dossier: Dossier, *, approver: Any) -> dict[str, Any]:
    version = dossier.procedure_version
    agency = dossier.competent_agency
    now = clock.now().astimezone(VIETNAM_TZ)
    received = dossier.received_at.astimezone(VIETNAM_TZ) if dossier.received_at else now
    verify_url = f"{settings.SITE_URL}/api/v1/verifications"
    return {
        "title": version.result_name or TITLES.get(version.result_type, "Văn bản"),
        "parent": agency.parent.name if agency.parent else "",
        "agency": agency.name,
        "number": dossier.result_number,
        "place": "Minh Sơn" if agency.code.endswith("H99") else agency.name,
        "day": f"{now:%d}",
        "month": f"{now:%m}",
        "year": f"{now:%Y}",
        "code": dossier.code or "",
        "applicant": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "received": f"{received:%d/%m/%Y}",
        "content": dossier.summary or version.name,
        "signer_title": "KT. THỦ TRƯỞNG CƠ QUAN\nPHÓ THỦ TRƯỞNG"
        if approver is None
        else (getattr(approver, "title", "") or "THỦ TRƯỞNG CƠ QUAN").upper(),
        "signer_name": str(approver) if approver is not None else "",
        "verify_url": verify_url,
        "qr": segno.make(f"{settings.SITE_URL}/tra-cuu/?code={dossier.code}").svg_inline(scale=2),
    }


def result_document_issue(*, dossier: Dossier, approver: Any, clerical_officer: Any) -> IssuedDocument | None:
    """Render, sign (leader, then agency seal) and store the result. Returns None when signing is off."""
    if not settings.MOTCUA_SIGN_RESULTS:
        return None
    pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    pdf = document_render(template="result", data=result_data(dossier, approver=approver))
    signed_by = []
    try:
        for user, field, reason in (
            (approver, "ChuKyLanhDao", "Phê duyệt kết quả giải quyết thủ tục hành chính"),
            (clerical_officer, "ChuKyCoQuan", "Phát hành văn bản"),
        ):
            name = getattr(user, "username", "")
            if not (pki.directory / f"{name}.key.pem").exists():
                raise SigningError(f"Không có chứng thư số cho {name} / No certificate for {name}.")
            pdf = SoftwareSigner(pki=pki, name=name).sign(
                pdf=pdf, reason=reason, location="Minh Sơn", field_name=field
            )
            signed_by.append({"username": name, "field": field})
    except SigningError as exc:
        raise ApplicationError(
            "Ký số không thành công, kết quả chưa được phát hành / "
            "Signing failed; the result was not issued. " + str(exc),
            {"field": "signature"},
        ) from exc
    document = IssuedDocument(
        dossier=dossier,
        kind="result",
        number=dossier.result_number,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed_by=signed_by,
        issued_at=clock.now(),
    )
    document.file.save(f"ket-qua-{dossier.code}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document
