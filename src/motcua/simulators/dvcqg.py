"""A local stand-in for the National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG) and its
sync adapter (``motcua sim-dvcqg serve --port 8711``).

It speaks the shapes of domain-vn.md §4.1 (as OpenCPS and other one-stop products call the real one):

* ``POST /auth`` with header ``dstcode`` and ``{"username", "password"}`` → ``{"session", "error_code": 0}``;
* ``POST /api`` with the same header and ``{"session", "madonvi", "service", ...}`` where ``service`` is
  ``LayDanhSachTTHC``, ``LayThuTuc`` (``MaTTHC``), ``DongBoHoSoMC`` (``isUpdating``, ``data: [...]``),
  ``CapNhatTienDoHoSoMC`` (``data: [...]``) or ``TraCuuHoSo`` (``MaHoSo``);
* errors carry the codes of the national platforms (domain-vn.md §5): ``100`` AUTHEN_ERROR, ``101``
  IP_DISALLOWED, ``106`` AGENCY_ID_INCORRECT, ``500`` DATA_INCORRECT, with a Vietnamese message.

It keeps what it receives in memory (``GET /inspect`` or the ``NationalPortal`` object in tests), and it
plays the citizen's side too: ``GET /`` is a small form, ``POST /nop-ho-so`` (form) or ``POST
/submissions`` (JSON) records a dossier submitted on the national portal and forwards it to the province
(through the gateway, as the ``dvcqg`` member, to the province's incoming API).

Standard library only; synthetic seeded data; not a production service."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import logging
import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
MAX_BODY_BYTES = 8 * 1024 * 1024
SESSION_SECONDS = 30 * 60

# The error codes of the national platforms (domain-vn.md §5).
OK = 0
AUTHEN_ERROR = 100
IP_DISALLOWED = 101
AGENCY_ID_INCORRECT = 106
DATA_INCORRECT = 500
ERROR_NAMES = {
    AUTHEN_ERROR: "AUTHEN_ERROR",
    IP_DISALLOWED: "IP_DISALLOWED",
    AGENCY_ID_INCORRECT: "AGENCY_ID_INCORRECT",
    DATA_INCORRECT: "DATA_INCORRECT",
}
_HTTP_STATUS = {
    AUTHEN_ERROR: HTTPStatus.UNAUTHORIZED,
    IP_DISALLOWED: HTTPStatus.FORBIDDEN,
    AGENCY_ID_INCORRECT: HTTPStatus.FORBIDDEN,
    DATA_INCORRECT: HTTPStatus.BAD_REQUEST,
}
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
ID_NUMBER = re.compile(r"^\d{12}$")
# The smallest PDF that parses: attached to the components of a dossier submitted on the simulator.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# The fields of a synchronised dossier the portal checks (domain-vn.md §4.1); the others are kept as sent.
_DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")


class PortalError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _date_ok(value: Any) -> bool:
    if value in (None, ""):
        return True
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        return False
    try:
        dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=VN)
    except ValueError:
        return False
    return True


def now_text() -> str:
    return dt.datetime.now(VN).strftime(DATE_FORMAT)


@dataclass
class Forwarder:
    """How the portal reaches the province: the gateway's token endpoint and the route to the province's
    incoming API (``/r/motcua/...``), as gateway member ``client_id``. ``token_url`` empty: no token (a
    test pointing the portal straight at the province)."""

    url: str
    token_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    timeout: float = 10.0
    _token: str = ""
    _token_expires: float = 0.0

    def _bearer(self) -> str:
        import time

        if not self.token_url:
            return ""
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": "motcua",
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 — a configured http(s) URL
            self.token_url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        with _opener().open(request, timeout=self.timeout) as response:
            answer = json.loads(response.read())
        self._token = str(answer["access_token"])
        self._token_expires = time.monotonic() + max(30, int(answer.get("expires_in", 300)) - 30)
        return self._token

    def send(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        headers = {
            "Content-Type": "application/json",
            "X-Message-Id": str(uuid.uuid4()),
            "X-Purpose": f"HS:{payload.get('MaHoSoQG', '')}",
        }
        token = self._bearer()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(  # noqa: S310 — a configured http(s) URL
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with _opener().open(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read() or b"{}")
            except ValueError:
                return exc.code, {}


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class NationalPortal:
    """The portal's state. Thread-safe: every handler takes the lock for its reads and writes."""

    procedures: dict[str, dict[str, Any]]
    accounts: dict[str, str] = field(default_factory=lambda: {"motcua-h99": "demo-dvcqg"})
    dstcodes: frozenset[str] = frozenset({"DVCQG"})
    agencies: frozenset[str] = frozenset()  # madonvi accepted; empty = any well-formed code
    forwarder: Forwarder | None = None
    dossiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    national_submissions: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    sessions: dict[str, float] = field(default_factory=dict)
    clock: Callable[[], float] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sequence: int = 0

    def _now(self) -> float:
        import time

        return (self.clock or time.monotonic)()

    # --- the adapter's side ------------------------------------------------------------------------

    def authenticate(self, *, dstcode: str, body: Any) -> dict[str, Any]:
        if dstcode not in self.dstcodes:
            raise PortalError(AUTHEN_ERROR, f"Mã đích (dstcode) không hợp lệ: {dstcode!r}")
        if not isinstance(body, dict):
            raise PortalError(DATA_INCORRECT, "Yêu cầu phải là đối tượng JSON {username, password}")
        username, password = body.get("username"), body.get("password")
        expected = self.accounts.get(str(username))
        if (
            expected is None
            or not isinstance(password, str)
            or not secrets.compare_digest(expected, password)
        ):
            raise PortalError(AUTHEN_ERROR, "Sai tên đăng nhập hoặc mật khẩu")
        session = secrets.token_urlsafe(24)
        with self._lock:
            self.sessions[session] = self._now() + SESSION_SECONDS
        return {"session": session, "error_code": OK}

    def call(self, *, dstcode: str, body: Any) -> dict[str, Any]:
        if dstcode not in self.dstcodes:
            raise PortalError(AUTHEN_ERROR, f"Mã đích (dstcode) không hợp lệ: {dstcode!r}")
        if not isinstance(body, dict):
            raise PortalError(DATA_INCORRECT, "Yêu cầu phải là đối tượng JSON")
        with self._lock:
            expires = self.sessions.get(str(body.get("session")))
        if expires is None or expires < self._now():
            raise PortalError(AUTHEN_ERROR, "Phiên làm việc không hợp lệ hoặc đã hết hạn")
        madonvi = body.get("madonvi")
        if not isinstance(madonvi, str) or not madonvi or (self.agencies and madonvi not in self.agencies):
            raise PortalError(AGENCY_ID_INCORRECT, f"Mã đơn vị không hợp lệ: {madonvi!r}")
        service = body.get("service")
        handler = {
            "LayDanhSachTTHC": self._list_procedures,
            "LayThuTuc": self._procedure,
            "DongBoHoSoMC": self._sync_dossiers,
            "CapNhatTienDoHoSoMC": self._sync_progress,
            "TraCuuHoSo": self._look_up,
        }.get(str(service))
        if handler is None:
            raise PortalError(DATA_INCORRECT, f"Dịch vụ không tồn tại: {service!r}")
        with self._lock:
            self.calls[str(service)] = self.calls.get(str(service), 0) + 1
        return handler(body)

    def _list_procedures(self, body: dict[str, Any]) -> dict[str, Any]:
        result = []
        for code, record in sorted(self.procedures.items()):
            fields = record.get("LINHVUCTHUCHIEN") or [{}]
            result.append(
                {
                    "MATTHC": code,
                    "TENTTHC": record.get("TENTTHC", ""),
                    "MALINHVUC": fields[0].get("MALINHVUC", ""),
                    "TENLINHVUC": fields[0].get("TENLINHVUC", ""),
                }
            )
        return {"error_code": OK, "result": result}

    def _procedure(self, body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("MaTTHC")
        if not isinstance(code, str) or not NATIONAL_CODE.match(code):
            raise PortalError(DATA_INCORRECT, "MaTTHC phải có dạng d.dddddd")
        record = self.procedures.get(code)
        if record is None:
            raise PortalError(DATA_INCORRECT, f"Không tìm thấy thủ tục {code}")
        return {"error_code": OK, "result": {"MATTHC": code, **record}}

    def _items(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        data = body.get("data")
        if not isinstance(data, list) or not data or not all(isinstance(i, dict) for i in data):
            raise PortalError(DATA_INCORRECT, "Trường data phải là danh sách đối tượng, không rỗng")
        return data

    def _sync_dossiers(self, body: dict[str, Any]) -> dict[str, Any]:
        items = self._items(body)
        problems = []
        for index, item in enumerate(items):
            problems += [f"data[{index}].{p}" for p in dossier_problems(item)]
        if problems:
            raise PortalError(DATA_INCORRECT, "Dữ liệu không hợp lệ: " + "; ".join(problems))
        with self._lock:
            for item in items:
                stored = self.dossiers.get(item["MaHoSo"], {})
                self.dossiers[item["MaHoSo"]] = {**stored, **item, "_NgayDongBo": now_text()}
        return {"error_code": OK, "message": "Đồng bộ thành công", "result": [i["MaHoSo"] for i in items]}

    def _sync_progress(self, body: dict[str, Any]) -> dict[str, Any]:
        items = self._items(body)
        problems = []
        for index, item in enumerate(items):
            if not isinstance(item.get("MaHoSo"), str) or not item["MaHoSo"]:
                problems.append(f"data[{index}].MaHoSo: bắt buộc")
            for name in ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"):
                if not _date_ok(item.get(name)):
                    problems.append(f"data[{index}].{name}: định dạng yyyyMMddHHmmss")
        if problems:
            raise PortalError(DATA_INCORRECT, "Dữ liệu không hợp lệ: " + "; ".join(problems))
        with self._lock:
            for item in items:
                entries = self.progress.setdefault(item["MaHoSo"], [])
                # A progress entry sent again (a retry after a lost answer) is kept once.
                key = item.get("MaTienDo") or json.dumps(item, sort_keys=True)
                if all((e.get("MaTienDo") or json.dumps(e, sort_keys=True)) != key for e in entries):
                    entries.append(dict(item))
        return {"error_code": OK, "message": "Cập nhật tiến độ thành công", "result": len(items)}

    def _look_up(self, body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("MaHoSo")
        if not isinstance(code, str) or not code:
            raise PortalError(DATA_INCORRECT, "MaHoSo: bắt buộc")
        with self._lock:
            stored = self.dossiers.get(code)
            entries = list(self.progress.get(code, []))
        if stored is None:
            return {"error_code": OK, "result": None}
        return {"error_code": OK, "result": {**stored, "TienDo": entries}}

    # --- the citizen's side ------------------------------------------------------------------------

    def submit(self, form: dict[str, Any]) -> dict[str, Any]:
        """A dossier submitted on the national portal: checked, numbered, recorded and forwarded."""
        code = str(form.get("MaTTHC") or "")
        record = self.procedures.get(code)
        problems = []
        if record is None:
            problems.append("MaTTHC: thủ tục không có trên Cổng")
        if not str(form.get("ChuHoSo") or "").strip():
            problems.append("ChuHoSo: bắt buộc")
        if not ID_NUMBER.match(str(form.get("MaDoiTuong") or "")):
            problems.append("MaDoiTuong: số định danh cá nhân gồm 12 chữ số")
        if problems:
            raise PortalError(DATA_INCORRECT, "Dữ liệu không hợp lệ: " + "; ".join(problems))
        assert record is not None
        with self._lock:
            self._sequence += 1
            national_code = f"DVC-{dt.datetime.now(VN):%y%m%d}-{self._sequence:04d}"
        attachments = [
            {
                "TepDinhKemId": f"{national_code}-{c.get('MAGIAYTO', i)}",
                "TenTepDinhKem": f"{c.get('MAGIAYTO') or i}.pdf",
                "MaThanhPhanHoSo": c.get("MAGIAYTO", ""),
                "TenThanhPhanHoSo": c.get("TENGIAYTO", ""),
                "NoiDungTep": base64.b64encode(DEMO_PDF).decode(),
                "DuocSoHoa": 1,
            }
            for i, c in enumerate(record.get("THANHPHANHOSO") or [])
            if c.get("BATBUOC", True)
        ]
        dossier = {
            "MaHoSoQG": national_code,
            "MaTTHC": code,
            "MaTTHCDP": record.get("MATTHCDP", ""),
            "TenTTHC": record.get("TENTTHC", ""),
            "ChuHoSo": str(form.get("ChuHoSo")).strip(),
            "LoaiDoiTuong": 1,
            "MaDoiTuong": str(form.get("MaDoiTuong")),
            "SoDienThoai": str(form.get("SoDienThoai") or ""),
            "Email": str(form.get("Email") or ""),
            "DiaChi": str(form.get("DiaChi") or ""),
            "TrichYeuHoSo": str(form.get("TrichYeuHoSo") or record.get("TENTTHC", "")),
            "NgayNop": now_text(),
            "TaiKhoanDuocXacThucVoiVNeID": 1,
            "TaiLieuNop": attachments,
            "forwarded": False,
            "MaHoSo": "",
            "forward_error": "",
        }
        with self._lock:
            self.national_submissions.append(dossier)
        self.forward(dossier)
        return dossier

    def forward(self, dossier: dict[str, Any]) -> bool:
        """Send one national submission to the province; the outcome is kept on it (retry: call again)."""
        if self.forwarder is None:
            dossier["forward_error"] = "no province configured"
            return False
        payload = {k: v for k, v in dossier.items() if k not in ("forwarded", "MaHoSo", "forward_error")}
        try:
            status, answer = self.forwarder.send(payload)
        except (OSError, ValueError, KeyError) as exc:
            dossier["forward_error"] = f"{type(exc).__name__}: {exc}"
            return False
        if status in (200, 201) and answer.get("MaHoSo"):
            dossier.update(forwarded=True, MaHoSo=answer["MaHoSo"], forward_error="")
            return True
        dossier["forward_error"] = f"HTTP {status}: {answer}"
        return False

    def forward_pending(self) -> int:
        return sum(self.forward(d) for d in list(self.national_submissions) if not d["forwarded"])

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            snapshot: dict[str, Any] = json.loads(
                json.dumps(
                    {
                        "dossiers": self.dossiers,
                        "progress": self.progress,
                        "national_submissions": [
                            {k: v for k, v in d.items() if k != "TaiLieuNop"}
                            for d in self.national_submissions
                        ],
                        "calls": self.calls,
                        "errors": self.errors[-50:],
                    }
                )
            )
        return snapshot


def dossier_problems(item: dict[str, Any]) -> list[str]:
    """What is wrong with one ``DongBoHoSoMC`` item (empty when it is well-formed)."""
    problems = []
    if not isinstance(item.get("MaHoSo"), str) or not item["MaHoSo"]:
        problems.append("MaHoSo: bắt buộc")
    if not isinstance(item.get("MaTTHC"), str) or not NATIONAL_CODE.match(item.get("MaTTHC") or ""):
        problems.append("MaTTHC: phải có dạng d.dddddd")
    status = item.get("TrangThaiHoSo")
    if isinstance(status, bool) or not isinstance(status, int) or not 1 <= status <= 10:
        problems.append("TrangThaiHoSo: số nguyên từ 1 đến 10")
    for name in _DATE_FIELDS:
        if not _date_ok(item.get(name)):
            problems.append(f"{name}: định dạng yyyyMMddHHmmss")
    if item.get("LoaiDoiTuong") not in (None, 1, 2):
        problems.append("LoaiDoiTuong: 1 (công dân) hoặc 2 (tổ chức)")
    for name in ("TaiLieuNop", "DanhSachGiayToKetQua", "DanhSachLePhi", "DanhSachHoSoBoSung"):
        if name in item and not isinstance(item[name], list):
            problems.append(f"{name}: phải là danh sách")
    return problems


_FORM = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Cổng Dịch vụ công quốc gia (mô phỏng)</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:2rem auto}}label{{display:block;margin:.5rem 0}}
input,select{{width:100%;padding:.3rem}}</style></head><body>
<h1>Cổng Dịch vụ công quốc gia — bản mô phỏng</h1>
<p>Nộp hồ sơ trực tuyến; hồ sơ được chuyển về hệ thống một cửa của tỉnh qua nền tảng LGSP.</p>
{message}
<form method="post" action="/nop-ho-so">
<label>Thủ tục <select name="MaTTHC" required>{options}</select></label>
<label>Họ và tên chủ hồ sơ <input name="ChuHoSo" required></label>
<label>Số định danh cá nhân <input name="MaDoiTuong" required pattern="[0-9]{{12}}"></label>
<label>Số điện thoại <input name="SoDienThoai"></label>
<label>Thư điện tử <input name="Email" type="email"></label>
<label>Trích yếu <input name="TrichYeuHoSo"></label>
<button type="submit">Nộp hồ sơ</button>
</form></body></html>
"""


def _handler_for(portal: NationalPortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MotcuaDVCQG/1"
        # Headers and body are two writes: without TCP_NODELAY the second waits for the client's delayed
        # ACK (40 ms per answer on Linux).
        disable_nagle_algorithm = True

        def _body(self) -> bytes | None:
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                return None
            if not 0 <= length <= MAX_BODY_BYTES:
                return None
            return self.rfile.read(length)

        def _json_body(self) -> Any:
            raw = self._body()
            if raw is None:
                raise PortalError(DATA_INCORRECT, "Thiếu hoặc quá lớn nội dung yêu cầu")
            try:
                return json.loads(raw or b"null")
            except (ValueError, UnicodeDecodeError) as exc:
                raise PortalError(DATA_INCORRECT, f"Nội dung không phải JSON hợp lệ: {exc}") from exc

        def do_POST(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            path = parts.path.rstrip("/")
            # The routing header; through the gateway (which forwards only its own headers) the query.
            query = urllib.parse.parse_qs(parts.query)
            dstcode = self.headers.get("dstcode") or (query.get("dstcode") or [""])[0]
            try:
                if path.endswith("/auth"):
                    self._json(HTTPStatus.OK, portal.authenticate(dstcode=dstcode, body=self._json_body()))
                elif path.endswith("/api"):
                    self._json(HTTPStatus.OK, portal.call(dstcode=dstcode, body=self._json_body()))
                elif path.endswith("/submissions"):
                    body = self._json_body()
                    if not isinstance(body, dict):
                        raise PortalError(DATA_INCORRECT, "Yêu cầu phải là đối tượng JSON")
                    dossier = portal.submit(body)
                    self._json(HTTPStatus.CREATED, {"error_code": OK, "result": _public(dossier)})
                elif path.endswith("/nop-ho-so"):
                    raw = self._body() or b""
                    form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace")).items()}
                    dossier = portal.submit(form)
                    state = (
                        f"đã chuyển về tỉnh, mã hồ sơ {dossier['MaHoSo']}"
                        if dossier["forwarded"]
                        else "chưa chuyển được về tỉnh, sẽ thử lại"
                    )
                    self._form(
                        f"<p role='status'>Đã nộp hồ sơ {dossier['MaHoSoQG']}: {html.escape(state)}.</p>"
                    )
                elif path.endswith("/forward-pending"):
                    self._json(HTTPStatus.OK, {"error_code": OK, "result": portal.forward_pending()})
                else:
                    self._json(HTTPStatus.NOT_FOUND, {"error_code": DATA_INCORRECT, "message": "Không có"})
            except PortalError as exc:
                with portal._lock:
                    portal.errors.append({"path": path, "error_code": exc.code, "message": exc.message})
                self._json(
                    _HTTP_STATUS.get(exc.code, HTTPStatus.BAD_REQUEST),
                    {"error_code": exc.code, "error": ERROR_NAMES.get(exc.code, ""), "message": exc.message},
                )

        def do_GET(self) -> None:
            path = urllib.parse.urlsplit(self.path).path.rstrip("/")
            if path.endswith("/inspect"):
                self._json(HTTPStatus.OK, portal.snapshot())
            elif path in ("", "/"):
                self._form("")
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error_code": DATA_INCORRECT, "message": "Không có"})

        def _form(self, message: str) -> None:
            options = "".join(
                f"<option value='{html.escape(code)}'>{html.escape(code)} — "
                f"{html.escape(str(record.get('TENTTHC', '')))}</option>"
                for code, record in sorted(portal.procedures.items())
            )
            data = _FORM.format(message=message, options=options).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: HTTPStatus, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("DVCQG %s: " + format, self.address_string(), *args)

    return Handler


def _public(dossier: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dossier.items() if k != "TaiLieuNop"}


def national_records(catalogue: dict[str, Any], *, changes: bool = True) -> dict[str, dict[str, Any]]:
    """The national procedure records (``LayThuTuc``) seeded from a catalogue document in the
    ``motcua.catalogue/1`` format (which mirrors it): the national parts of each procedure, one record
    per national code. With ``changes`` the national database has moved on for two procedures (a new
    legal basis, a changed fee), so that the catalogue comparison has something to show."""
    keys = (
        "MATTHCDP",
        "TENTTHC",
        "LINHVUCTHUCHIEN",
        "CAPTHUCHIEN",
        "CACHTHUCTHUCHIEN",
        "TRINHTUTHUCHIEN",
        "THANHPHANHOSO",
        "KETQUATHUCHIEN",
        "CANCUPHAPLY",
        "COQUANTHUCHIEN",
        "YEUCAU",
        "MOTADOITUONGTHUCHIEN",
    )
    records: dict[str, dict[str, Any]] = {}
    for item in catalogue.get("THUTUC", []):
        code = item.get("MATTHC")
        if not isinstance(code, str) or not NATIONAL_CODE.match(code) or code in records:
            continue
        records[code] = json.loads(json.dumps({k: item[k] for k in keys if k in item}))
    if changes:
        ordered = sorted(records)
        if ordered:
            records[ordered[0]].setdefault("CANCUPHAPLY", []).append(
                {
                    "SOVANBAN": "999/2026/NĐ-CP",
                    "TENVANBAN": "Nghị định sửa đổi (dữ liệu mô phỏng của CSDL quốc gia về TTHC)",
                    "NGAYBANHANH": "2026-01-15",
                }
            )
        if len(ordered) > 1:
            record = records[ordered[1]]
            for way in record.get("CACHTHUCTHUCHIEN", []):
                for time in way.get("THOIGIAN", []):
                    for fee in time.get("PHILEPHI", []):
                        fee["SOTIEN"] = str(int(float(fee.get("SOTIEN") or 0)) + 10000)
    return records


def dvcqg_server(*, portal: NationalPortal, host: str = "127.0.0.1", port: int = 8711) -> ThreadingHTTPServer:
    """A bound (not yet serving) server; ``port=0`` picks a free port (``server.server_address[1]``)."""
    server = ThreadingHTTPServer((host, port), _handler_for(portal))
    server.daemon_threads = True
    return server


def dvcqg_serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (tests); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name="motcua-dvcqg", daemon=True)
    thread.start()
    return thread
