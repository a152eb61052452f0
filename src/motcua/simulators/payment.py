"""A local payment platform for the demo and the tests (``motcua sim-payment serve --port 8715``).

It speaks the published VNPay-style protocol the banks of the national payment platform use, so our
adapter (``payments/providers/vnpay.py``) is the code that would talk to the real platform, pointed at
another URL:

* ``GET /paymentv2/vpcpay.html?vnp_...&vnp_SecureHash=...`` — the payer's browser arrives with the order
  signed by the merchant (HMAC-SHA512 over the sorted, URL-encoded parameters; amount ×100). A bad hash
  shows an error page. The page offers "pay", "fail" (card declined) and "abandon" (back to the merchant
  with code 24, nothing paid).
* ``POST /paymentv2/decide`` (the page's form) — for pay and fail the platform first calls the merchant's
  server-to-server notification (IPN: ``GET <ipn_url>?vnp_...`` signed the same way, answered with
  ``{"RspCode", "Message"}``) and then redirects the browser to ``vnp_ReturnUrl`` with the same signed
  parameters.
* ``POST /merchant_webapi/api/transaction`` (JSON) — ``vnp_Command=querydr`` (the state of an order) and
  ``vnp_Command=refund``; both requests and answers carry a checksum over the fields in the protocol's
  fixed order, joined with ``|``.
* ``GET /settlement/YYYY-MM-DD`` — the day's settlement file (CSV, Vietnam time): every successful payment
  and refund, which our reconciliation compares with our ledger.

State lives in memory (an HTTP stand-in, not a bank); tests may switch ``ipn_delay_return`` (return the
browser before sending the IPN) or reach into ``platform`` to inject differences. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_TMN_CODE = "MOTCUA01"
DEMO_HASH_SECRET = "MOTCUADEMOHASHSECRETNOTFORPRODUCTION"  # noqa: S105 - the published demo value
PAY_PATH = "/paymentv2/vpcpay.html"
DECIDE_PATH = "/paymentv2/decide"
API_PATH = "/merchant_webapi/api/transaction"
SETTLEMENT_PREFIX = "/settlement/"
MAX_BODY = 64 * 1024
SETTLEMENT_HEADER = "date,txn_ref,transaction_no,kind,amount,bank_code,pay_date"


def secure_hash(secret: str, params: dict[str, str]) -> str:
    """HMAC-SHA512 (hex) over ``k=v`` pairs sorted by key, values URL-encoded (``quote_plus``), joined with
    ``&``; empty values and the hash fields themselves are left out — the protocol's rule."""
    data = "&".join(
        f"{k}={urllib.parse.quote_plus(str(v))}"
        for k, v in sorted(params.items())
        if v not in ("", None) and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_valid(secret: str, params: dict[str, str]) -> bool:
    given = params.get("vnp_SecureHash", "")
    return bool(given) and hmac.compare_digest(given.lower(), secure_hash(secret, params))


def checksum(secret: str, *fields: str) -> str:
    """The API's checksum: HMAC-SHA512 over the fields in the protocol's order joined with ``|``."""
    return hmac.new(secret.encode(), "|".join(fields).encode(), hashlib.sha512).hexdigest()


def vn_time(moment: dt.datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


@dataclass
class Transaction:
    txn_ref: str
    amount: int  # ×100, as in the protocol
    order_info: str
    return_url: str
    ipn_url: str
    created: str
    transaction_no: str = ""
    status: str = "01"  # 00 success, 01 not finished, 02 failed, 04 reversed / refunded
    response_code: str = ""
    bank_code: str = ""
    pay_date: str = ""
    refunded: int = 0
    ipn_answers: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SettlementLine:
    day: dt.date
    txn_ref: str
    transaction_no: str
    kind: str  # "payment" or "refund"
    amount: int  # đồng
    bank_code: str
    pay_date: str


class PaymentPlatform:
    """The platform's state and rules; thread-safe. ``now`` is injectable (tests control time)."""

    def __init__(
        self,
        *,
        tmn_code: str = DEMO_TMN_CODE,
        hash_secret: str = DEMO_HASH_SECRET,
        ipn_url: str = "",
        now: Any = None,
    ) -> None:
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.ipn_url = ipn_url  # the merchant's IPN endpoint (configured at the platform, as with VNPay)
        self.now = now or (lambda: dt.datetime.now(tz=dt.UTC))
        self.transactions: dict[str, Transaction] = {}
        self.settlement: list[SettlementLine] = []
        self.ipn_delay_return = False  # tests: redirect the browser first, send the IPN on ``ipn_flush``
        self.pending_ipns: list[str] = []
        self._lock = threading.Lock()
        self._next_no = 14000000

    # --- the payer's page -------------------------------------------------------------------------
    def order_open(self, params: dict[str, str]) -> tuple[Transaction | None, str]:
        """Check an incoming order; the transaction, or an error text for the page."""
        if not hash_valid(self.hash_secret, params):
            return None, "Sai chữ ký (invalid signature)"
        if params.get("vnp_TmnCode") != self.tmn_code:
            return None, "Mã website không hợp lệ (unknown merchant)"
        try:
            amount = int(params.get("vnp_Amount", ""))
        except ValueError:
            return None, "Số tiền không hợp lệ (invalid amount)"
        ref = params.get("vnp_TxnRef", "")
        if amount <= 0 or amount % 100 or not ref or not params.get("vnp_ReturnUrl"):
            return None, "Thiếu tham số (missing parameters)"
        with self._lock:
            txn = self.transactions.get(ref)
            if txn is None:
                txn = Transaction(
                    txn_ref=ref,
                    amount=amount,
                    order_info=params.get("vnp_OrderInfo", ""),
                    return_url=params["vnp_ReturnUrl"],
                    ipn_url=self.ipn_url,
                    created=params.get("vnp_CreateDate", ""),
                )
                self.transactions[ref] = txn
            elif txn.status == "00":
                return None, "Giao dịch đã được thanh toán (already paid)"
        return txn, ""

    def decide(self, ref: str, choice: str) -> str:
        """The tester's choice on the page; returns the URL the browser goes to next."""
        with self._lock:
            txn = self.transactions.get(ref)
            if txn is None:
                raise KeyError(ref)
            if choice == "abandon":
                txn.response_code = "24"
                return self._return_url(txn)
            if txn.status == "00":  # a second click on an already paid order: just go back
                return self._return_url(txn)
            self._next_no += 1
            txn.transaction_no = str(self._next_no)
            txn.bank_code = "NCB"
            txn.pay_date = vn_time(self.now())
            if choice == "pay":
                txn.status, txn.response_code = "00", "00"
                moment = self.now().astimezone(VIETNAM)
                self.settlement.append(
                    SettlementLine(
                        moment.date(),
                        ref,
                        txn.transaction_no,
                        "payment",
                        txn.amount // 100,
                        txn.bank_code,
                        txn.pay_date,
                    )
                )
            else:
                txn.status, txn.response_code = "02", "51"  # 51: insufficient funds
            delay = self.ipn_delay_return
            if delay:
                self.pending_ipns.append(ref)
        if not delay:
            self.ipn_send(ref)
        return self._return_url(txn)

    def result_params(self, txn: Transaction) -> dict[str, str]:
        params = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(txn.amount),
            "vnp_BankCode": txn.bank_code,
            "vnp_OrderInfo": txn.order_info,
            "vnp_PayDate": txn.pay_date,
            "vnp_ResponseCode": txn.response_code,
            "vnp_TransactionNo": txn.transaction_no or "0",
            "vnp_TransactionStatus": txn.status if txn.response_code != "24" else "02",
            "vnp_TxnRef": txn.txn_ref,
        }
        params = {k: v for k, v in params.items() if v != ""}
        params["vnp_SecureHash"] = secure_hash(self.hash_secret, params)
        return params

    def _return_url(self, txn: Transaction) -> str:
        sep = "&" if "?" in txn.return_url else "?"
        return txn.return_url + sep + urllib.parse.urlencode(self.result_params(txn))

    def ipn_send(self, ref: str) -> dict[str, str]:
        """Call the merchant's IPN; the answer is kept (the real platform retries on no answer)."""
        txn = self.transactions[ref]
        url = txn.ipn_url
        if not url:
            return {}
        sep = "&" if "?" in url else "?"
        try:
            with urllib.request.urlopen(  # noqa: S310 - the merchant's configured URL
                url + sep + urllib.parse.urlencode(self.result_params(txn)), timeout=10
            ) as response:
                answer = json.loads(response.read().decode())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            logger.warning("payment simulator: IPN to %s failed: %s", url, exc)
            answer = {"RspCode": "", "Message": f"no answer: {exc}"}
        with self._lock:
            txn.ipn_answers.append(answer)
        return dict(answer)

    def ipn_flush(self) -> None:
        """Send the IPNs held back by ``ipn_delay_return``."""
        with self._lock:
            refs, self.pending_ipns = self.pending_ipns, []
        for ref in refs:
            self.ipn_send(ref)

    # --- the merchant API ---------------------------------------------------------------------------
    def api(self, body: dict[str, Any]) -> dict[str, str]:
        command = str(body.get("vnp_Command", ""))
        request_id = str(body.get("vnp_RequestId", ""))
        ref = str(body.get("vnp_TxnRef", ""))
        if command == "querydr":
            fields = [
                request_id,
                str(body.get("vnp_Version", "")),
                command,
                str(body.get("vnp_TmnCode", "")),
                ref,
                str(body.get("vnp_TransactionDate", "")),
                str(body.get("vnp_CreateDate", "")),
                str(body.get("vnp_IpAddr", "")),
                str(body.get("vnp_OrderInfo", "")),
            ]
        elif command == "refund":
            fields = [
                request_id,
                str(body.get("vnp_Version", "")),
                command,
                str(body.get("vnp_TmnCode", "")),
                str(body.get("vnp_TransactionType", "")),
                ref,
                str(body.get("vnp_Amount", "")),
                str(body.get("vnp_TransactionNo", "")),
                str(body.get("vnp_TransactionDate", "")),
                str(body.get("vnp_CreateBy", "")),
                str(body.get("vnp_CreateDate", "")),
                str(body.get("vnp_IpAddr", "")),
                str(body.get("vnp_OrderInfo", "")),
            ]
        else:
            return self._api_answer(request_id, command, "99", ref=ref)
        given = str(body.get("vnp_SecureHash", ""))
        if not hmac.compare_digest(given.lower(), checksum(self.hash_secret, *fields)):
            return self._api_answer(request_id, command, "97", ref=ref)
        if body.get("vnp_TmnCode") != self.tmn_code:
            return self._api_answer(request_id, command, "02", ref=ref)
        with self._lock:
            txn = self.transactions.get(ref)
            if txn is None:
                return self._api_answer(request_id, command, "91", ref=ref)
            if command == "refund":
                try:
                    amount = int(str(body.get("vnp_Amount", "")))
                except ValueError:
                    return self._api_answer(request_id, command, "03", ref=ref)
                if txn.status != "00" and txn.status != "04":
                    return self._api_answer(request_id, command, "94", txn=txn)
                if amount <= 0 or amount + txn.refunded > txn.amount:
                    return self._api_answer(request_id, command, "94", txn=txn)
                txn.refunded += amount
                if txn.refunded == txn.amount:
                    txn.status = "04"
                moment = self.now().astimezone(VIETNAM)
                self.settlement.append(
                    SettlementLine(
                        moment.date(),
                        ref,
                        txn.transaction_no,
                        "refund",
                        amount // 100,
                        txn.bank_code,
                        vn_time(moment),
                    )
                )
            return self._api_answer(request_id, command, "00", txn=txn)

    def _api_answer(
        self, request_id: str, command: str, code: str, *, txn: Transaction | None = None, ref: str = ""
    ) -> dict[str, str]:
        answer = {
            "vnp_ResponseId": request_id,
            "vnp_Command": command,
            "vnp_ResponseCode": code,
            "vnp_Message": {"00": "Success", "91": "Transaction not found", "97": "Invalid checksum"}.get(
                code, "Error"
            ),
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": txn.txn_ref if txn else ref,
            "vnp_Amount": str(txn.amount) if txn else "",
            "vnp_TransactionNo": txn.transaction_no if txn else "",
            "vnp_TransactionStatus": txn.status if txn else "",
            "vnp_PayDate": txn.pay_date if txn else "",
        }
        answer["vnp_SecureHash"] = checksum(
            self.hash_secret,
            answer["vnp_ResponseId"],
            command,
            code,
            answer["vnp_Message"],
            self.tmn_code,
            answer["vnp_TxnRef"],
            answer["vnp_Amount"],
            answer["vnp_TransactionNo"],
            answer["vnp_TransactionStatus"],
            answer["vnp_PayDate"],
        )
        return answer

    def settlement_csv(self, day: dt.date) -> str:
        with self._lock:
            lines = [line for line in self.settlement if line.day == day]
        rows = [SETTLEMENT_HEADER] + [
            f"{x.day.isoformat()},{x.txn_ref},{x.transaction_no},{x.kind},{x.amount},{x.bank_code},{x.pay_date}"
            for x in lines
        ]
        return "\n".join(rows) + "\n"


_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng thanh toán (mô phỏng)</title>
<style>body{{font-family:sans-serif;max-width:36rem;margin:2rem auto}}
button{{margin:.3rem;padding:.5rem 1rem}}</style>
</head><body><h1>Cổng thanh toán — mô phỏng</h1>{body}</body></html>"""


def _handler_for(platform: PaymentPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MotcuaPaymentSim/1"

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            if url.path == PAY_PATH:
                txn, error = platform.order_open(params)
                if txn is None:
                    self._html(HTTPStatus.BAD_REQUEST, f"<p role='alert'>{html.escape(error)}</p>")
                    return
                ref = html.escape(txn.txn_ref)
                amount = f"{txn.amount // 100:,}".replace(",", ".")
                self._html(
                    HTTPStatus.OK,
                    f"<p>Đơn hàng <strong>{ref}</strong>: {html.escape(txn.order_info)}</p>"
                    f"<p>Số tiền: <strong id='amount'>{amount} đ</strong></p>"
                    f"<form method='post' action='{DECIDE_PATH}'>"
                    f"<input type='hidden' name='ref' value='{ref}'>"
                    "<button name='choice' value='pay'>Thanh toán</button>"
                    "<button name='choice' value='fail'>Thanh toán không thành công</button>"
                    "<button name='choice' value='abandon'>Hủy giao dịch</button></form>",
                )
            elif url.path.startswith(SETTLEMENT_PREFIX):
                try:
                    day = dt.date.fromisoformat(url.path[len(SETTLEMENT_PREFIX) :])
                except ValueError:
                    self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad date\n")
                    return
                self._send(HTTPStatus.OK, "text/csv; charset=utf-8", platform.settlement_csv(day).encode())
            elif url.path == "/":
                self._send(
                    HTTPStatus.OK,
                    "text/plain; charset=utf-8",
                    f"Payment platform simulator: {len(platform.transactions)} order(s)\n".encode(),
                )
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"bad body\n")
                return
            raw = self.rfile.read(length)
            if url.path == DECIDE_PATH:
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                try:
                    target = platform.decide(form.get("ref", ""), form.get("choice", ""))
                except KeyError:
                    self._html(HTTPStatus.NOT_FOUND, "<p role='alert'>Không tìm thấy giao dịch</p>")
                    return
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif url.path == API_PATH:
                try:
                    body = json.loads(raw.decode())
                    if not isinstance(body, dict):
                        raise ValueError
                except ValueError:
                    self._send(HTTPStatus.BAD_REQUEST, "application/json", b'{"vnp_ResponseCode":"99"}')
                    return
                data = json.dumps(platform.api(body)).encode()
                self._send(HTTPStatus.OK, "application/json", data)
            else:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

        def _html(self, status: HTTPStatus, body: str) -> None:
            self._send(status, "text/html; charset=utf-8", _PAGE.format(body=body).encode())

        def _send(self, status: HTTPStatus, content_type: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("payment simulator %s: " + format, self.address_string(), *args)

    return Handler


def payment_server(
    *, platform: PaymentPlatform, host: str = "127.0.0.1", port: int = 8715
) -> ThreadingHTTPServer:
    """A bound (not yet serving) server; ``port=0`` picks a free port."""
    server = ThreadingHTTPServer((host, port), _handler_for(platform))
    server.daemon_threads = True
    return server


def payment_serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="motcua-payment-sim", daemon=True)
    thread.start()
    return thread
