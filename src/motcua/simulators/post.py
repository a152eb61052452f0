"""A stand-in for the public postal service (bưu chính công ích, VNPost), ``motcua sim-post serve --port
8714``: pick-up orders (thu gom) for dossiers an applicant sends by post, delivery orders (phát trả) for
results, and tracking updates pushed back by HTTP callback.

``POST /api/v1/orders`` ``{"CustomerOrderCode", "OrderType": "PICKUP"|"DELIVERY", "SenderFullname",
"SenderAddress", "SenderTel", "ReceiverFullname", "ReceiverAddress", "ReceiverTel", "ContentNote",
"CallbackUrl"}`` → ``{"ItemCode": "EH…VN" (UPU S10 with its check digit), "OrderStatus": "100", …}``; the same
``CustomerOrderCode`` from the same client answers the same order (a retry does not create a second one).
``GET /api/v1/orders/<ItemCode>`` → the order with its ``Tracking`` list. Each status change is POSTed to
the order's ``CallbackUrl`` as ``{"ItemCode", "CustomerOrderCode", "OrderStatus", "StatusName", "Time",
"Location"}``; a callback that fails is pushed again with the next change or ``redeliver()``.

The operator's handle (no gateway): ``POST /sim/advance`` moves every open order one step (or the one
``ItemCode`` given); ``motcua sim-post serve --auto-advance SECONDS`` does it on a timer for the demo."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from datetime import datetime
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Any

from motcua.simulators.national_http import Faults, Request, Route, data_incorrect, json_server

logger = logging.getLogger(__name__)

STATUSES = [
    ("100", "Đã tiếp nhận đơn hàng"),
    ("200", "Bưu tá đã nhận hàng (thu gom)"),
    ("300", "Đang vận chuyển"),
    ("400", "Đang phát"),
    ("500", "Phát thành công"),
]
STATUS_NAMES = dict(STATUSES) | {"600": "Phát không thành công"}
FINAL = {"500", "600"}
ORDER_TYPES = {"PICKUP": "EH", "DELIVERY": "EP"}
REQUIRED = (
    "CustomerOrderCode",
    "OrderType",
    "SenderFullname",
    "SenderAddress",
    "ReceiverFullname",
    "ReceiverAddress",
)


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


class PostService:
    def __init__(self, *, seed: int = 2026) -> None:
        self.faults = Faults()
        self.orders: dict[str, dict[str, Any]] = {}
        self._by_customer: dict[tuple[str, str], str] = {}
        self._serial = 10_000_000 + seed
        self._lock = threading.Lock()
        self.callbacks_sent = 0
        self.callback_timeout = 5.0

    # --- API ------------------------------------------------------------------------------------

    def create(self, request: Request) -> tuple[int, Any]:
        body = request.json()
        missing = [name for name in REQUIRED if not str(body.get(name) or "").strip()]
        if missing:
            raise data_incorrect(
                "Thiếu thông tin bắt buộc: " + ", ".join(missing) + ".",
                "Required fields missing: " + ", ".join(missing) + ".",
            )
        for name, value in body.items():
            if value is not None and not isinstance(value, str):
                raise data_incorrect(f"Trường {name} phải là chuỗi ký tự.", f"Field {name} must be a string.")
            if isinstance(value, str) and len(value) > 500:
                raise data_incorrect(f"Trường {name} quá dài.", f"Field {name} is too long.")
        kind = body["OrderType"]
        if kind not in ORDER_TYPES:
            raise data_incorrect(
                "OrderType phải là PICKUP hoặc DELIVERY.", "OrderType must be PICKUP or DELIVERY."
            )
        callback = str(body.get("CallbackUrl") or "")
        if callback and not callback.startswith(("http://", "https://")):
            raise data_incorrect(
                "CallbackUrl phải là địa chỉ http(s).", "CallbackUrl must be an http(s) URL."
            )
        client = request.headers.get("x-gateway-client", "")
        key = (client, body["CustomerOrderCode"])
        with self._lock:
            existing = self._by_customer.get(key)
            if existing is not None:
                return HTTPStatus.OK, self._public(self.orders[existing])
            self._serial += 1
            serial = f"{self._serial % 100_000_000:08d}"
            item = f"{ORDER_TYPES[kind]}{serial}{s10_check_digit(serial)}VN"
            order = {
                "ItemCode": item,
                "CustomerOrderCode": body["CustomerOrderCode"],
                "OrderType": kind,
                "SenderFullname": body["SenderFullname"],
                "SenderAddress": body["SenderAddress"],
                "SenderTel": body.get("SenderTel") or "",
                "ReceiverFullname": body["ReceiverFullname"],
                "ReceiverAddress": body["ReceiverAddress"],
                "ReceiverTel": body.get("ReceiverTel") or "",
                "ContentNote": body.get("ContentNote") or "",
                "CallbackUrl": callback,
                "OrderStatus": "100",
                "Tracking": [self._entry("100", "Bưu cục tiếp nhận")],
                "_undelivered": [],
            }
            self.orders[item] = order
            self._by_customer[key] = item
        return HTTPStatus.OK, self._public(order)

    def get(self, request: Request) -> tuple[int, Any]:
        item = request.path.rstrip("/").rsplit("/", 1)[-1]
        order = self.orders.get(item)
        if order is None:
            return HTTPStatus.OK, {"MaKetQua": "01", "MoTa": "Không tìm thấy bưu gửi."}
        return HTTPStatus.OK, self._public(order)

    def advance_request(self, request: Request) -> tuple[int, Any]:
        body = request.json() if request.body else {}
        moved = self.advance(item_code=str(body.get("ItemCode") or "") or None, fail=bool(body.get("Fail")))
        return HTTPStatus.OK, {"moved": moved}

    def route(self, request: Request) -> Route | None:
        path = request.path.rstrip("/")
        if request.method == "POST" and path == "/api/v1/orders":
            return self.create
        if request.method == "GET" and path.startswith("/api/v1/orders/"):
            return self.get
        if request.method == "POST" and path == "/sim/advance":
            return self.advance_request
        return None

    # --- Tracking -------------------------------------------------------------------------------

    def advance(self, *, item_code: str | None = None, fail: bool = False) -> list[str]:
        """Move open orders one status on (``fail``: the delivery fails) and push each change."""
        moved: list[str] = []
        with self._lock:
            for order in self.orders.values():
                if item_code is not None and order["ItemCode"] != item_code:
                    continue
                if order["OrderStatus"] in FINAL:
                    continue
                codes = [c for c, _ in STATUSES]
                status = "600" if fail else codes[codes.index(order["OrderStatus"]) + 1]
                order["OrderStatus"] = status
                entry = self._entry(
                    status, "Bưu cục phát" if status in {"400", "500", "600"} else "Trung tâm khai thác"
                )
                order["Tracking"].append(entry)
                order["_undelivered"].append(entry)
                moved.append(order["ItemCode"])
        self.redeliver()
        return moved

    def redeliver(self) -> int:
        """Push every tracking change not yet acknowledged (2xx) by the order's callback URL."""
        sent = 0
        for order in list(self.orders.values()):
            if not order["CallbackUrl"]:
                order["_undelivered"].clear()
                continue
            while order["_undelivered"]:
                entry = order["_undelivered"][0]
                payload = {
                    "ItemCode": order["ItemCode"],
                    "CustomerOrderCode": order["CustomerOrderCode"],
                } | entry
                data = json.dumps(payload, ensure_ascii=False).encode()
                req = urllib.request.Request(  # noqa: S310 (checked http(s) at order time)
                    order["CallbackUrl"],
                    data=data,
                    method="POST",
                    headers={"Content-Type": "application/json"},
                )
                try:
                    with urllib.request.urlopen(req, timeout=self.callback_timeout) as answer:  # noqa: S310 (our own http(s) URL)
                        ok = 200 <= answer.status < 300
                except Exception as exc:  # the receiver is down: keep the change for the next push
                    logger.info("post simulator: callback to %s failed: %s", order["CallbackUrl"], exc)
                    ok = False
                if not ok:
                    break
                order["_undelivered"].pop(0)
                sent += 1
        self.callbacks_sent += sent
        return sent

    @staticmethod
    def _entry(status: str, location: str) -> dict[str, str]:
        return {
            "OrderStatus": status,
            "StatusName": STATUS_NAMES[status],
            "Time": datetime.now().astimezone().isoformat(timespec="seconds"),
            "Location": location,
        }

    @staticmethod
    def _public(order: dict[str, Any]) -> dict[str, Any]:
        public = {k: v for k, v in order.items() if not k.startswith("_")}
        public["StatusName"] = STATUS_NAMES[order["OrderStatus"]]
        return {"MaKetQua": "00"} | public


def post_server(*, service: PostService, host: str = "127.0.0.1", port: int = 8714) -> ThreadingHTTPServer:
    return json_server(
        name="Post", routes=service.route, faults=service.faults, host=host, port=port, open_paths=("/sim/",)
    )
