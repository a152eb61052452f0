"""The incoming API the gateway (LGSP) delivers to as service ``motcua``: ``POST
/api/v1/lgsp/dvcqg/ho-so`` receives a dossier a citizen submitted on the national portal.

Only gateway traffic is accepted: the request must come from an address of
``MOTCUA_GATEWAY_INBOUND_ADDRESSES`` (the gateway's) and carry ``X-Gateway-Client: dvcqg`` (the member
the gateway authenticated with OAuth2 and granted ``motcua``). Answers and errors use the national
platforms' codes (domain-vn.md §5): ``error_code`` 0, 101 IP_DISALLOWED, 106 AGENCY_ID_INCORRECT (the
member is not the national portal), 500 DATA_INCORRECT."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from motcua.core.errors import ApplicationError

router = Router()

DVCQG_MEMBER = "dvcqg"


def _error(status: int, code: int, name: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error_code": code, "error": name, "message": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def gateway_refusal(request: HttpRequest) -> JsonResponse | None:
    """Why ``request`` is not gateway traffic from the national portal, or None when it is."""
    address = request.META.get("REMOTE_ADDR", "")
    if address not in settings.MOTCUA_GATEWAY_INBOUND_ADDRESSES:
        return _error(403, 101, "IP_DISALLOWED", _("Địa chỉ không được phép gọi dịch vụ này."))
    if request.headers.get("X-Gateway-Client") != DVCQG_MEMBER:
        return _error(403, 106, "AGENCY_ID_INCORRECT", _("Chỉ Cổng Dịch vụ công quốc gia được gửi hồ sơ."))
    return None


@router.post("/ho-so", include_in_schema=True, summary="Hồ sơ nộp trên Cổng DVCQG chuyển về tỉnh")
def national_dossier_receive(request: HttpRequest) -> Any:
    from motcua.dvcqg.services import national_submission_receive

    refusal = gateway_refusal(request)
    if refusal is not None:
        return refusal
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error(400, 500, "DATA_INCORRECT", _("Nội dung không phải JSON hợp lệ."))
    try:
        dossier, created = national_submission_receive(
            payload=payload, message_id=request.headers.get("X-Message-Id", "")
        )
    except ApplicationError as exc:
        body = {"error_code": 500, "error": "DATA_INCORRECT", "message": exc.message, "extra": exc.extra}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(
        {"error_code": 0, "MaHoSo": dossier.code, "MaHoSoQG": payload.get("MaHoSoQG"), "created": created},
        status=201 if created else 200,
        json_dumps_params={"ensure_ascii": False},
    )
