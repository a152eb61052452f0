"""The data of each statutory form, taken from a dossier (templates get plain JSON)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings

from motcua.core.clock import VIETNAM_TZ
from motcua.dossiers.models import Dossier


def _moment(value: Any) -> str:
    local = value.astimezone(VIETNAM_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def receipt_data(dossier: Dossier) -> dict[str, Any]:
    """Form 01: receipt and appointment slip."""
    version = dossier.procedure_version
    agency = dossier.receiving_agency
    received = dossier.received_at.astimezone(VIETNAM_TZ) if dossier.received_at else None
    event = dossier.events.filter(action="receive").select_related("actor").first()
    link = f"{settings.SITE_URL}/tra-cuu/?code={dossier.code}"
    limit_value = format(version.time_limit_value.normalize(), "f")
    return {
        "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "parent": agency.parent.name if agency.parent else "",
        "agency": agency.name,
        "number": f"{dossier.code.rsplit('-', 1)[-1] if dossier.code else ''}/{agency.abbreviation or 'TN'}",
        "place": "Minh Sơn" if agency.code.endswith("H99") else agency.name,
        "day": f"{received:%d}" if received else "",
        "month": f"{received:%m}" if received else "",
        "year": f"{received:%Y}" if received else "",
        "code": dossier.code or "",
        "applicant": dossier.applicant_name,
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "procedure": version.name,
        "components": [
            f"{c.name} ({c.originals} bản chính, {c.copies} bản sao)" for c in dossier.components.all()
        ],
        "limit": f"{limit_value} {version.get_time_limit_unit_display().lower()}",
        "received": _moment(dossier.received_at) if dossier.received_at else "",
        "appointment": _moment(dossier.appointment_at) if dossier.appointment_at else "",
        "return_method": dossier.get_return_method_display(),
        "receiver": str(event.actor) if event and event.actor else "",
        "qr": segno.make(link, error="m").svg_inline(scale=2),
    }
