"""The postal service's tracking callback: ``POST /buu-chinh/hanh-trinh/<token>/`` with JSON. The token is
the order's own secret (given in ``CallbackUrl``), so no session and no CSRF token; answers in the national
systems' shape (``MaKetQua`` "00", or ``error_code`` 500 ``DATA_INCORRECT`` with a message)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core.errors import NotFoundError, ValidationFailedError
from motcua.national.post import post_tracking_receive


def _refusal(status: int, message: str, message_en: str) -> JsonResponse:
    return JsonResponse(
        {"error_code": 500, "error": "DATA_INCORRECT", "message": message, "message_en": message_en},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def post_tracking(request: HttpRequest, token: str) -> JsonResponse:
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refusal(400, "Nội dung không phải JSON hợp lệ.", "The body is not valid JSON.")
    try:
        order = post_tracking_receive(token=token, payload=payload)
    except NotFoundError:
        return _refusal(404, "Không có đơn bưu chính này.", "No such postal order.")
    except ValidationFailedError as exc:
        return _refusal(400, exc.message, "Malformed tracking update.")
    return JsonResponse({"MaKetQua": "00", "ItemCode": order.item_code})
