"""Issuing the statutory forms 02–05 (Circular 03/2025/TT-VPCP) when their event happens: supplement
request, refusal, apology with a new appointment, stop notice.

The dossier services call ``form_document_issue`` inside their own transaction, right after the timeline
event: the number comes from the issuing agency's register (so a rolled-back action gives its number back)
and the PDF is stored as an ``IssuedDocument`` whose QR code opens its public verification page. Rendering
takes 50–150 ms, which is why only staff actions (and a withdrawal) issue forms — never the citizen's online
submission."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.clock import VIETNAM_TZ
from motcua.core.errors import ApplicationError
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.signatures import forms
from motcua.signatures.models import IssuedDocument
from motcua.signatures.numbering import document_number_allocate
from motcua.signatures.render import document_render

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from motcua.accounts.models import User

Builder = Callable[..., dict[str, Any]]

BUILDERS: dict[str, Builder] = {
    "02": forms.supplement_request_data,
    "03": forms.refusal_data,
    "04": forms.apology_data,
    "05": forms.stop_notice_data,
}


def _issuing_agency(dossier: Dossier, event: DossierEvent, spec: forms.FormSpec) -> Agency:
    """The agency in whose name the officer acted; a withdrawal (no agency) falls back by form."""
    if event.actor_agency is not None:
        return event.actor_agency
    return dossier.receiving_agency if spec.issuer == "receiving" else dossier.competent_agency


def form_document_issue(*, dossier: Dossier, kind: str, actor: User) -> IssuedDocument:
    """Render form ``kind`` ("02" … "05") for the dossier's latest matching timeline event, give it the
    next number of the issuing agency's register ("01/PBS-TTPVHCC") and store it.

    MUST be called inside the transaction of the action that wrote the event (``actor`` is who acted);
    the stored file is not signed (``pades_level`` empty) — the form is the record of the action."""
    spec = forms.FORMS.get(kind)
    if spec is None or not spec.stored or kind not in BUILDERS:
        raise ValueError(f"form {kind!r} is not issued as a stored document")
    with transaction.atomic():
        event = (
            dossier.events.filter(action__in=spec.actions)
            .select_related("actor", "actor_agency")
            .order_by("-at", "-pk")
            .first()
        )
        if event is None:
            raise ApplicationError(
                f"Chưa có sự kiện để lập {spec.short.lower()} / Nothing to issue form {kind} for.",
                {"kind": kind},
            )
        if event.actor is None and getattr(actor, "is_authenticated", False):
            event.actor = actor
        agency = _issuing_agency(dossier, event, spec)
        now = clock.now()
        number = document_number_allocate(
            agency=agency, year=now.astimezone(VIETNAM_TZ).year, document_type=spec.symbol
        )
        document = IssuedDocument(
            dossier=dossier, kind=kind, number=number, issued_at=now, signed_by=[], pades_level=""
        )
        data = BUILDERS[kind](
            dossier, event, agency=agency, number=number, issued_at=now, qr_url=document.verification_url()
        )
        pdf = document_render(template=spec.template, data=data)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        sequence = number.split("/", 1)[0]
        document.file.save(
            f"{spec.file_stem}-{dossier.code}-{now.astimezone(VIETNAM_TZ):%Y}-{sequence}.pdf",
            ContentFile(pdf),
            save=False,
        )
        document.save()
    return document


def receipt_document_issue(*, dossier: Dossier, clerk: User) -> IssuedDocument | None:
    """Form 01 signed by the receiving official (PAdES, invisible field ``ChuKyTiepNhan``) and stored;
    the receipt page and PDF then serve this file, which anyone can verify on /xac-minh/.

    The clerk's personal signature is applied only here, in the clerk's own receive action (issue 9.2's
    rule: a key signs only under its holder's act). With signing off (tests, MOTCUA_SIGN_RESULTS=0) the
    receipt stays rendered on demand. A clerk without a signing certificate gets the unsigned form and a
    warning in the log: refusing the receipt would stop the one-stop counter for a missing certificate."""
    from django.conf import settings

    if not settings.MOTCUA_SIGN_RESULTS:
        return None
    from pathlib import Path

    from motcua.signatures.providers import signer_provider_for
    from motcua.signatures.signing import PkiFiles, SigningError, timestamp_valid_until

    pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
    try:
        provider = signer_provider_for(clerk.username, pki=pki)
    except SigningError as exc:
        logger.warning("receipt of %s not signed: %s", dossier.code, exc)
        return None
    now = clock.now()
    document = IssuedDocument(
        dossier=dossier,
        kind="01",
        number=forms.receipt_number(dossier),
        issued_at=now,
        signed_by=[{"username": clerk.username, "field": "ChuKyTiepNhan"}],
        timestamp_valid_until=timestamp_valid_until(pki),  # so the archive job stamps it only when due
    )
    data = forms.receipt_data(dossier)
    pdf = document_render(template="receipt", data=data)
    try:
        pdf = provider.sign(
            pdf=pdf,
            reason="Tiếp nhận hồ sơ",
            location=forms.place_of(dossier.receiving_agency),
            field_name="ChuKyTiepNhan",
            appearance=None,
        )
    except SigningError as exc:
        raise ApplicationError(
            _("Ký số giấy tiếp nhận không thành công, hồ sơ chưa được tiếp nhận: %(error)s") % {"error": exc},
            {"field": "signature"},
        ) from exc
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.file.save(f"giay-tiep-nhan-{dossier.code}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document
