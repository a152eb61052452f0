"""The adapter for the VNPay-style protocol of the national payment platform (and the local simulator,
``simulators/payment.py``): signed redirect, IPN verification, ``querydr``/``refund`` calls and the daily
settlement file. Only ``MOTCUA_PAYMENT_URL``, the terminal code and the hash secret change in production."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import TYPE_CHECKING

from django.conf import settings

from motcua.core import clock
from motcua.payments.providers import (
    Notification,
    ProviderUnavailableError,
    QueryResult,
    SettlementItem,
    provider_register,
)
from motcua.simulators.payment import (
    API_PATH,
    PAY_PATH,
    SETTLEMENT_PREFIX,
    checksum,
    hash_valid,
    secure_hash,
    vn_time,
)

if TYPE_CHECKING:
    from motcua.payments.models import PaymentOrder

VERSION = "2.1.0"
TIMEOUT = 10


class VnpayProvider:
    code = "vnpay"

    def __init__(self, *, base_url: str, tmn_code: str, hash_secret: str, channel: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.channel = channel

    def checkout_url(self, *, order: PaymentOrder, return_url: str, client_ip: str) -> str:
        if not self.hash_secret or not self.tmn_code:
            raise ProviderUnavailableError("MOTCUA_PAYMENT_TMN_CODE / MOTCUA_PAYMENT_HASH_SECRET not set")
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount * 100),  # the protocol counts in 1/100 đồng
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": f"Thanh toan phi ho so {order.dossier.code}",
            "vnp_OrderType": "billpayment",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": vn_time(order.created_at),
        }
        if order.expires_at is not None:
            params["vnp_ExpireDate"] = vn_time(order.expires_at)
        params["vnp_SecureHash"] = secure_hash(self.hash_secret, params)
        return f"{self.base_url}{PAY_PATH}?{urllib.parse.urlencode(params)}"

    def notification_verify(self, params: dict[str, str]) -> Notification | None:
        # Without a configured secret anyone could sign (an HMAC with an empty key): refuse everything.
        if (
            not self.hash_secret
            or not hash_valid(self.hash_secret, params)
            or params.get("vnp_TmnCode") != self.tmn_code
        ):
            return None
        try:
            amount_x100 = int(params.get("vnp_Amount", ""))
        except ValueError:
            return None
        return Notification(
            txn_ref=params.get("vnp_TxnRef", ""),
            # An amount that is not whole đồng can never match an order: keep it visibly wrong (-1).
            amount=amount_x100 // 100 if amount_x100 % 100 == 0 else -1,
            success=params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == "00",
            provider_txn_no=params.get("vnp_TransactionNo", ""),
            bank_code=params.get("vnp_BankCode", ""),
            response_code=params.get("vnp_ResponseCode", ""),
            raw={k: v for k, v in params.items() if k != "vnp_SecureHash"},
        )

    def notification_answer(self, code: str, message: str) -> dict[str, str]:
        return {"RspCode": code, "Message": message}

    def _call(self, body: dict[str, str]) -> dict[str, str]:
        request = urllib.request.Request(  # noqa: S310 - the configured platform URL
            self.base_url + API_PATH,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read().decode())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProviderUnavailableError(str(exc)) from exc
        if not isinstance(answer, dict):
            raise ProviderUnavailableError("not a JSON object")
        fields = [
            str(answer.get(k, ""))
            for k in (
                "vnp_ResponseId",
                "vnp_Command",
                "vnp_ResponseCode",
                "vnp_Message",
                "vnp_TmnCode",
                "vnp_TxnRef",
                "vnp_Amount",
                "vnp_TransactionNo",
                "vnp_TransactionStatus",
                "vnp_PayDate",
            )
        ]
        if str(answer.get("vnp_SecureHash", "")).lower() != checksum(self.hash_secret, *fields):
            raise ProviderUnavailableError("answer checksum does not match")
        return {k: str(v) for k, v in answer.items()}

    def query(self, *, order: PaymentOrder) -> QueryResult:
        now = vn_time(clock.now())
        body = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": f"Truy van {order.txn_ref}",
            "vnp_TransactionDate": vn_time(order.created_at),
            "vnp_CreateDate": now,
            "vnp_IpAddr": "127.0.0.1",
        }
        body["vnp_SecureHash"] = checksum(
            self.hash_secret,
            *(
                body[k]
                for k in (
                    "vnp_RequestId",
                    "vnp_Version",
                    "vnp_Command",
                    "vnp_TmnCode",
                    "vnp_TxnRef",
                    "vnp_TransactionDate",
                    "vnp_CreateDate",
                    "vnp_IpAddr",
                    "vnp_OrderInfo",
                )
            ),
        )
        answer = self._call(body)
        if answer.get("vnp_ResponseCode") == "91":
            return QueryResult(found=False, paid=False)
        status = answer.get("vnp_TransactionStatus", "")
        return QueryResult(
            found=answer.get("vnp_ResponseCode") == "00",
            paid=status == "00",
            amount=int(answer.get("vnp_Amount") or 0) // 100,
            provider_txn_no=answer.get("vnp_TransactionNo", ""),
            status=status,
        )

    def refund(self, *, order: PaymentOrder, amount: int, actor: str) -> bool:
        body = {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": "refund",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionType": "02" if amount == order.amount else "03",
            "vnp_TxnRef": order.txn_ref,
            "vnp_Amount": str(amount * 100),
            "vnp_TransactionNo": order.provider_txn_no,
            "vnp_TransactionDate": vn_time(order.created_at),
            "vnp_CreateBy": actor[:64] or "motcua",
            "vnp_CreateDate": vn_time(clock.now()),
            "vnp_IpAddr": "127.0.0.1",
            "vnp_OrderInfo": f"Hoan phi {order.txn_ref}",
        }
        body["vnp_SecureHash"] = checksum(
            self.hash_secret,
            *(
                body[k]
                for k in (
                    "vnp_RequestId",
                    "vnp_Version",
                    "vnp_Command",
                    "vnp_TmnCode",
                    "vnp_TransactionType",
                    "vnp_TxnRef",
                    "vnp_Amount",
                    "vnp_TransactionNo",
                    "vnp_TransactionDate",
                    "vnp_CreateBy",
                    "vnp_CreateDate",
                    "vnp_IpAddr",
                    "vnp_OrderInfo",
                )
            ),
        )
        return self._call(body).get("vnp_ResponseCode") == "00"

    def settlement(self, *, day: dt.date) -> list[SettlementItem]:
        try:
            with urllib.request.urlopen(  # noqa: S310 - the configured platform URL
                f"{self.base_url}{SETTLEMENT_PREFIX}{day.isoformat()}", timeout=TIMEOUT
            ) as response:
                text = response.read().decode()
        except (urllib.error.URLError, OSError) as exc:
            raise ProviderUnavailableError(str(exc)) from exc
        return settlement_parse(text)


def settlement_parse(text: str) -> list[SettlementItem]:
    return [
        SettlementItem(
            txn_ref=row["txn_ref"],
            provider_txn_no=row["transaction_no"],
            kind=row["kind"],
            amount=int(row["amount"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


def _factory() -> VnpayProvider:
    return VnpayProvider(
        base_url=settings.MOTCUA_PAYMENT_URL,
        tmn_code=settings.MOTCUA_PAYMENT_TMN_CODE,
        hash_secret=settings.MOTCUA_PAYMENT_HASH_SECRET,
        channel=settings.MOTCUA_PAYMENT_CHANNEL,
    )


provider_register(VnpayProvider.code, _factory)
