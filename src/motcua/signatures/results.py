"""The result document of a dossier: rendered as PDF/A, signed by the leader who approved it (personal
signature) and by the agency when the clerical officer issues it (Decree 30/2020; domain-vn §2.6).

Signing happens inside the issue transaction: if it fails, nothing is stored and the dossier stays
approved. The leader's key signs only under the authorisation the leader gave when approving
(authorisation.py): the issue consumes it, or is refused (409) before anything is numbered or rendered."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.clock import VIETNAM_TZ
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import Action
from motcua.signatures.appearance import (
    AppearanceError,
    Placement,
    personal_stamp_style,
    placements_for_anchor,
    seal_stamp_style,
)
from motcua.signatures.authorisation import signing_authorisation_consume
from motcua.signatures.drafts import draft_apply, result_draft_values
from motcua.signatures.forms import (
    date_parts,
    place_of,
    qr_svg,
    result_details,
    result_template,
    tracking_url,
)
from motcua.signatures.models import IssuedDocument
from motcua.signatures.numbering import document_number_allocate, document_number_reserve
from motcua.signatures.providers import signer_provider_for
from motcua.signatures.render import document_anchors, document_render
from motcua.signatures.signing import PkiFiles, SigningError, timestamp_valid_until

if TYPE_CHECKING:
    from motcua.accounts.models import User

TITLES = {
    "licence": "Giấy phép",
    "certificate": "Giấy chứng nhận",
    "decision": "Quyết định",
    "extract": "Trích lục",
    "other": "Văn bản",
}


# Decree 30/2020 Annex III abbreviations for the result's document type.
RESULT_TYPE_ABBREVIATIONS = {
    "licence": "GP",
    "certificate": "GCN",
    "decision": "QĐ",
    "extract": "TL",
    "other": "VB",
}


def result_number_allocate(dossier: Dossier) -> str:
    """Number and symbol from the competent agency's register, when the clerical officer gives none."""
    kind = RESULT_TYPE_ABBREVIATIONS.get(dossier.procedure_version.result_type, "VB")
    return document_number_allocate(
        agency=dossier.competent_agency, year=clock.now().astimezone(VIETNAM_TZ).year, document_type=kind
    )


def result_number_reserve(dossier: Dossier, number: str) -> str:
    """A number typed by the clerical officer, reserved in the competent agency's register (refused when
    it is taken or malformed), so the register never hands it out again."""
    return document_number_reserve(
        agency=dossier.competent_agency, year=clock.now().astimezone(VIETNAM_TZ).year, number=number
    )


def result_issue(*, dossier: Dossier, clerical_officer: User, number: str = "") -> str:
    """The whole issue of a result in one call (the ``Paperwork`` port): the number (given, kept from an
    earlier attempt, or the next of the register), then the signed document. Runs in the caller's
    transaction: a signing failure rolls the number back with it."""
    approval = dossier.events.filter(action=Action.APPROVE).order_by("-at", "-pk").first()
    approver = approval.actor if approval else None
    authorisation = None
    if settings.MOTCUA_SIGN_RESULTS:
        # First, before a number is taken: without the leader's authorisation nothing happens.
        authorisation = signing_authorisation_consume(dossier=dossier, signer=approver)
    if number.strip():
        dossier.result_number = result_number_reserve(dossier, number)
    elif not dossier.result_number:
        dossier.result_number = result_number_allocate(dossier)
    dossier.save(update_fields=["result_number"])
    document = result_document_issue(dossier=dossier, approver=approver, clerical_officer=clerical_officer)
    if authorisation is not None and document is not None:
        authorisation.pdf = document.file.name
        authorisation.save(update_fields=["pdf"])
    return dossier.result_number


def result_data(dossier: Dossier, *, approver: User | None, document_url: str = "") -> dict[str, Any]:
    """The data of the result document. The generic ``result`` template reads the first keys; the
    per-procedure templates (licence, certificate, decision: ``forms.result_template``) also the details:
    authority, "Căn cứ …" lines from the version's legal basis, numbered articles, signature block.

    ``document_url``: the issued document's own verification page, for its QR code; a draft (no id yet)
    points to the dossier's public tracking page instead."""
    version = dossier.procedure_version
    agency = dossier.competent_agency
    now = clock.now().astimezone(VIETNAM_TZ)
    received = dossier.received_at.astimezone(VIETNAM_TZ) if dossier.received_at else now
    verify_url = f"{settings.SITE_URL}/api/v1/verifications"
    if document_url:
        qr_url, qr_caption = (
            document_url,
            "Quét mã QR để xác minh văn bản điện tử",
        )
    else:
        qr_url = tracking_url(dossier)
        qr_caption = f"Quét mã QR để tra cứu hồ sơ; kiểm tra văn bản điện tử tại {verify_url}"
    data = {
        "title": version.result_name or TITLES.get(version.result_type, "Văn bản"),
        "summary": "",
        "parent": agency.parent.name if agency.parent else "",
        "agency": agency.name,
        "number": dossier.result_number,
        "place": place_of(agency),
        **date_parts(now),
        "code": dossier.code or "",
        "applicant": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "received": f"{received:%d/%m/%Y}",
        "content": version.result_name or version.name,
        "signer_title": "KT. THỦ TRƯỞNG CƠ QUAN\nPHÓ THỦ TRƯỞNG"
        if approver is None
        else (getattr(approver, "title", "") or "THỦ TRƯỞNG CƠ QUAN").upper(),
        "signer_name": str(approver) if approver is not None else "",
        "verify_url": verify_url,
        "qr": qr_svg(qr_url),
        "qr_url": qr_url,
        "qr_caption": qr_caption,
        **result_details(dossier, approver=approver, agency=agency),
    }
    # The specialist's draft (drafts.py); the applicant's request is never the result's content.
    return draft_apply(data, dossier=dossier, draft=result_draft_values(dossier))


def result_document_issue(
    *, dossier: Dossier, approver: User | None, clerical_officer: User
) -> IssuedDocument | None:
    """Render, sign (leader, then agency seal) and store the result. Returns None when signing is off."""
    if not settings.MOTCUA_SIGN_RESULTS:
        return None
    pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    template = result_template(dossier.procedure_version)
    # The QR code opens this document's own verification page: its id is chosen before rendering.
    public_id = uuid.uuid4()
    data = result_data(dossier, approver=approver, document_url=f"{settings.SITE_URL}/xac-minh/{public_id}/")
    pdf = document_render(template=template, data=data)
    personal, seal = _placements(template=template, data=data)
    moment = clock.now()
    agency = dossier.competent_agency
    signed_by = []
    try:
        for user, field, reason, placement in (
            (approver, "ChuKyLanhDao", "Phê duyệt kết quả giải quyết thủ tục hành chính", personal),
            (clerical_officer, "ChuKyCoQuan", "Phát hành văn bản", seal),
        ):
            name = getattr(user, "username", "")
            provider = signer_provider_for(name, pki=pki)
            appearance = None
            if placement is not None and field == "ChuKyLanhDao":
                style = personal_stamp_style(full_name=provider.signer_common_name(), moment=moment)
                appearance = (placement, style)
            elif placement is not None:
                style = seal_stamp_style(agency_name=agency.name, centre_text=place_of(agency), moment=moment)
                appearance = (placement, style)
            pdf = provider.sign(
                pdf=pdf, reason=reason, location=place_of(agency), field_name=field, appearance=appearance
            )
            signed_by.append({"username": name, "field": field})
    except (SigningError, AppearanceError) as exc:
        raise ApplicationError(
            _("Ký số không thành công, kết quả chưa được phát hành: %(error)s") % {"error": exc},
            {"field": "signature"},
        ) from exc
    document = IssuedDocument(
        public_id=public_id,
        dossier=dossier,
        kind="result",
        number=dossier.result_number,
        sha256=hashlib.sha256(pdf).hexdigest(),
        signed_by=signed_by,
        issued_at=clock.now(),
        timestamp_valid_until=timestamp_valid_until(pki),
    )
    document.file.save(f"ket-qua-{dossier.code}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


A4_HEIGHT_PT = 841.89


def _placements(*, template: str, data: dict[str, Any]) -> tuple[Placement | None, Placement | None]:
    """The signature boxes under the signer's title, where the template marked ``<chu-ky>``; none (an
    invisible signature) for a template without the mark."""
    anchors = document_anchors(template=template, data=data)
    if not anchors:
        return None, None
    anchor = anchors[-1]
    return placements_for_anchor(
        page=int(anchor["page"]) - 1, x=float(anchor["x"]), y=float(anchor["y"]), page_height=A4_HEIGHT_PT
    )
