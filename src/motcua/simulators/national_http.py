"""What the stand-ins of the national systems (population, business registration, public post) share: a
JSON-over-HTTP server on the standard library, the error body of the provincial gateways (domain-vn.md §5:
``100 AUTHEN_ERROR``, ``101 IP_DISALLOWED``, ``106 AGENCY_ID_INCORRECT``, ``500 DATA_INCORRECT``), and fault
switches that tests and demos use to make a system slow, broken or silent.

A national system is reached only through the gateway (LGSP), which adds ``X-Gateway-Client``: a request
without it is refused with ``100 AUTHEN_ERROR``. Standard library only — these are stand-ins, not products."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024

# domain-vn.md §5 (Quảng Bình "API via NGSP" guide): the codes a provincial gateway's services answer.
AUTHEN_ERROR = (100, "AUTHEN_ERROR")
IP_DISALLOWED = (101, "IP_DISALLOWED")
AGENCY_ID_INCORRECT = (106, "AGENCY_ID_INCORRECT")
DATA_INCORRECT = (500, "DATA_INCORRECT")


class SimError(Exception):
    """A refusal in the national systems' shape: HTTP status, numeric code, name, Vietnamese and English."""

    def __init__(self, status: int, code: tuple[int, str], message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en

    def body(self) -> dict[str, Any]:
        return {
            "error_code": self.code[0],
            "error": self.code[1],
            "message": self.message,
            "message_en": self.message_en,
        }


def data_incorrect(message: str, message_en: str) -> SimError:
    return SimError(HTTPStatus.BAD_REQUEST, DATA_INCORRECT, message, message_en)


@dataclass
class Faults:
    """Switches for tests and demos: ``mode`` "ok", "garbage" (answers that are not JSON) or "error" (500);
    ``hold`` when set makes every request wait until it is cleared (a slow system, without sleeping)."""

    mode: str = "ok"
    hold: threading.Event | None = None
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        if not self.body:
            raise data_incorrect("Thiếu nội dung yêu cầu (JSON).", "The request has no JSON body.")
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise data_incorrect(
                "Nội dung yêu cầu không phải JSON hợp lệ.", "The body is not valid JSON."
            ) from exc
        if not isinstance(data, dict):
            raise data_incorrect(
                "Nội dung yêu cầu phải là một đối tượng JSON.", "The body must be a JSON object."
            )
        return data


# A route answers (status, JSON body) or raises SimError.
Route = Callable[[Request], tuple[int, Any]]


def json_server(
    *,
    name: str,
    routes: Callable[[Request], Route | None],
    faults: Faults,
    host: str = "127.0.0.1",
    port: int = 0,
    require_gateway: bool = True,
    open_paths: tuple[str, ...] = (),
) -> ThreadingHTTPServer:
    """A bound server; ``routes(request)`` picks the handler (None: 404). ``port=0`` picks a free port.
    Paths under ``open_paths`` (the simulator's own operator handles) need no gateway header."""

    class Handler(BaseHTTPRequestHandler):
        server_version = f"Motcua{name}/1"
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            with faults.lock:
                faults.requests += 1
            hold = faults.hold
            if hold is not None:
                hold.wait(30)
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self._send_json(
                    HTTPStatus.BAD_REQUEST,
                    data_incorrect("Nội dung yêu cầu quá lớn.", "The request body is too large.").body(),
                )
                return
            body = self.rfile.read(length) if length else b""
            if faults.mode == "garbage":
                self._send_raw(HTTPStatus.OK, b"<html>Service Unavailable", "text/html")
                return
            if faults.mode == "error":
                self._send_raw(HTTPStatus.INTERNAL_SERVER_ERROR, b"Internal Server Error", "text/plain")
                return
            parts = urlsplit(self.path)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                gated = require_gateway and not request.path.startswith(open_paths or ("\0",))
                if gated and not request.headers.get("x-gateway-client"):
                    raise SimError(
                        HTTPStatus.UNAUTHORIZED,
                        AUTHEN_ERROR,
                        "Hệ thống chỉ nhận yêu cầu qua nền tảng tích hợp, chia sẻ dữ liệu (LGSP).",
                        "This system only answers requests that come through the data-sharing gateway "
                        "(LGSP).",
                    )
                route = routes(request)
                if route is None:
                    raise SimError(
                        HTTPStatus.NOT_FOUND,
                        DATA_INCORRECT,
                        "Không có dịch vụ này.",
                        f"No service at {request.method} {request.path}.",
                    )
                status, answer = route(request)
            except SimError as exc:
                self._send_json(exc.status, exc.body())
                return
            except Exception:  # a stand-in answers in its protocol, never with a stack trace
                logger.exception("%s simulator: internal error", name)
                self._send_json(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    {
                        "error_code": 999,
                        "error": "SYSTEM_ERROR",
                        "message": "Lỗi hệ thống.",
                        "message_en": "Internal error.",
                    },
                )
                return
            self._send_json(status, answer)

        do_GET = _handle
        do_POST = _handle

        def _send_json(self, status: int, data: Any) -> None:
            self._send_raw(
                status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8"
            )

        def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug(f"{name} %s: " + format, self.address_string(), *args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer, *, name: str = "motcua-sim") -> threading.Thread:
    """Serve in a daemon thread (tests); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return thread


def purpose_of(request: Request, body: dict[str, Any] | None = None) -> str:
    """The stated purpose of a personal-data look-up: ``X-Purpose`` (forwarded by the gateway) or
    ``MucDich``."""
    purpose = unquote(request.headers.get("x-purpose", "")).strip()
    if not purpose and body is not None:
        purpose = str(body.get("MucDich") or "").strip()
    if not purpose:
        raise data_incorrect(
            "Thiếu mục đích khai thác dữ liệu (X-Purpose / MucDich).",
            "A personal-data look-up must state its purpose (X-Purpose or MucDich).",
        )
    if len(purpose) > 500:
        raise data_incorrect("Mục đích khai thác quá dài.", "The stated purpose is too long.")
    return purpose
