"""The citizen's words for a row of their personal-data processing record ("who used my data").

The rows keep what the writers wrote — the audit's own text: the staff reader "user (Full name)", the dossier
access log's kind and target ("Văn bản PDF của hồ sơ — form <uuid>", "… — GET /api/…", "… — register
2026-11-01..2026-11-30"), the purpose "HS:<code>", a gateway read's "<service> [<code>] — POST /<path>
(thông điệp <id>)". That text is right for an auditor and wrong for a citizen, so ``access_label`` reads
each shape the code writes back into a sentence, translated at display time. The shapes, by writer:

* ``identity.services.DossierReadsToAccessRecord`` (staff reads of a dossier, through the
  ``dossiers.personal_data`` port): ``data`` = ``STAFF_READ_DATA[kind]`` [+ " — " + target], purpose
  "HS:<code>" or "HS:(bản nháp)". Targets by kind: view ("", "admin", "digitization"), file
  ("<component>: <file name>"), pdf ("receipt", "result", "control_slip", "form <public id>"), export
  ("register <from>..<to>", "register <agency> <from>..<to>"), api ("inbox <box>", "<METHOD> <path>"),
  action (a desk action's name), admin_search (a masked query; never a row here: it names no dossier).
* ``identity.services.GatewayReadsToAccessRecord``: a client system's read (kind system, accessor
  "<member> (<client id>)", data "<service> [<code>] — <METHOD> /<path> (thông điệp <id>)", purpose as the
  client stated it) and an official's download of the exchange's evidence (kind staff, ``EVIDENCE_*``).
* ``national.access.national_access_record``: a national-database look-up (kind national_db, accessor
  "<system> — <user (Full name)>" or "<system> — system", data "tra cứu …", purpose "HS:<code>" or words,
  among them the citizen's own pre-fill of the online form).

A shape not listed here gets a neutral label: the citizen never sees a path, a method, an id or a kind.
Pure: no database (the caller resolves form names and which dossiers are the viewer's)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.identity.models import AccessorKind, PersonalDataAccess
from motcua.identity.services import (
    DOSSIER_PURPOSE_PREFIX,
    DRAFT_DOSSIER_PURPOSE,
    EVIDENCE_DATA_PREFIX,
    EVIDENCE_PURPOSE,
    STAFF_READ_DATA,
)

# The separator the staff-read writer puts between what was read and the target.
_DASH = " — "
# The purpose the online form's pre-fill states (dossiers.views._population_prefill), in Vietnamese.
PREFILL_PURPOSE = "Điền sẵn thông tin khi nộp hồ sơ trực tuyến"
# Text that is the machine's, not words: a path, a URL, an HTTP method, a bracketed code, a UUID, a bare
# identifier ("view", "admin_search").
_TECHNICAL = re.compile(
    r"(^|\s)/\S|://|^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b|\[[^\]]*\]"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-|^[a-z0-9_.:-]+$"
)
# "user (Full name)": the reader as the dossier access log and the national look-up copy it.
_READER = re.compile(r"^\S+ \((?P<name>.+)\)$")
_REGISTER = re.compile(r"^register (?:\S+ )?(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<end>\d{4}-\d{2}-\d{2})$")
_FORM = re.compile(r"^form (?P<public_id>\S+)$")
# A dossier code ("000.00.31.H12-261203-0001"): what may follow "HS:" to be shown and linked.
_DOSSIER_CODE = re.compile(r"[\w.-]{1,40}")


@dataclass(frozen=True)
class AccessLabel:
    """Who processed the data, what they did, for what: in the citizen's words. ``dossier_code`` names the
    dossier the processing was for ("" when none), so the page can link it when it is the viewer's."""

    who: str
    what: str
    purpose: str
    dossier_code: str = ""


def _words(text: str, fallback: str) -> str:
    """Free text a person wrote (a purpose, a system's name): as is, unless it looks like the machine's."""
    text = text.strip()
    if not text or _TECHNICAL.search(text):
        return fallback
    return text


def _reader_name(reader: str) -> str:
    match = _READER.match(reader.strip())
    if match:
        return match.group("name")
    return _words(reader, _("Cán bộ, công chức"))


def _day(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


# A desk action (dossiers.views.DESK_ACTIONS) in words.
def _desk_actions() -> dict[str, str]:
    return {
        "receive": _("tiếp nhận"),
        "intake_supplement": _("yêu cầu bổ sung khi tiếp nhận"),
        "refuse": _("từ chối tiếp nhận"),
        "supplement_request": _("yêu cầu bổ sung giấy tờ"),
        "claim": _("nhận xử lý"),
        "complete": _("hoàn thành bước xử lý"),
        "result_draft": _("soạn dự thảo kết quả"),
        "assign": _("phân công"),
        "consult": _("lấy ý kiến phối hợp"),
        "payment_request": _("yêu cầu thực hiện nghĩa vụ tài chính"),
        "payment_confirm": _("xác nhận đã thực hiện nghĩa vụ tài chính"),
        "stop": _("dừng xử lý"),
        "stop_on_request": _("dừng xử lý theo yêu cầu"),
        "send_back": _("trả lại để xử lý lại"),
        "propose_refusal": _("đề xuất từ chối"),
        "return": _("trả kết quả"),
        "apology": _("xin lỗi, hẹn lại"),
    }


def _staff_read(kind: str, target: str, form_names: Mapping[str, str]) -> str:
    """What a staff read of a dossier did, from the access log's kind and target."""
    if kind == "view":
        if target == "admin":
            return _("Xem hồ sơ trong trang quản trị")
        if target == "digitization":
            return _("Xem hồ sơ để số hóa giấy tờ")
        return _("Xem thông tin hồ sơ")
    if kind == "file":
        component, sep, name = target.partition(": ")
        if sep and component.strip() and name.strip():
            return _("Mở tệp đính kèm «%(name)s» (%(component)s)") % {
                "name": name.strip(),
                "component": component.strip(),
            }
        return _("Mở tệp đính kèm của hồ sơ")
    if kind == "pdf":
        if target == "receipt":
            return _("Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        if target == "result":
            return _("Tải văn bản kết quả giải quyết hồ sơ")
        if target == "control_slip":
            return _("Tải Phiếu kiểm soát quá trình giải quyết hồ sơ")
        form = _FORM.match(target)
        if form and form_names.get(form.group("public_id")):
            return _("Tải %(form)s") % {"form": form_names[form.group("public_id")]}
        return _("Tải văn bản của hồ sơ")
    if kind == "export":
        register = _REGISTER.match(target)
        if register:
            return _("Trích xuất sổ theo dõi hồ sơ từ ngày %(start)s đến ngày %(end)s") % {
                "start": _day(register.group("start")),
                "end": _day(register.group("end")),
            }
        return _("Trích xuất danh sách hồ sơ")
    if kind == "api":
        if target.startswith("inbox "):
            return _("Xem danh sách hồ sơ cần xử lý qua phần mềm kết nối")
        if target.startswith(("GET ", "HEAD ")) or not target:
            return _("Đọc hồ sơ qua phần mềm kết nối")
        return _("Xử lý hồ sơ qua phần mềm kết nối")
    if kind == "action":
        action = _desk_actions().get(target)
        return _("Xử lý hồ sơ: %(action)s") % {"action": action} if action else _("Xử lý hồ sơ")
    if kind == "admin_search":
        return _("Tìm kiếm hồ sơ trong trang quản trị")
    return _("Xem thông tin hồ sơ")


def _staff_data(data: str, form_names: Mapping[str, str]) -> str:
    if data.startswith(EVIDENCE_DATA_PREFIX):
        service = data[len(EVIDENCE_DATA_PREFIX) :].partition(" [")[0]
        return _("Tải bằng chứng trao đổi dữ liệu «%(service)s» qua nền tảng tích hợp") % {
            "service": _words(service, _("dịch vụ dữ liệu"))
        }
    for kind, prefix in STAFF_READ_DATA.items():
        if data == prefix:
            return _staff_read(kind, "", form_names)
        if data.startswith(prefix + _DASH):
            return _staff_read(kind, data[len(prefix) + len(_DASH) :], form_names)
    return _("Xem thông tin hồ sơ")


def _system_data(accessor: str, data: str) -> tuple[str, str]:
    """A client system's read through the gateway: ("Hệ thống <member>", "Đọc <service>")."""
    member = re.sub(r"\s*\([^()]*\)$", "", accessor).strip()
    who = (
        _("Hệ thống %(organisation)s") % {"organisation": member}
        if member and not _TECHNICAL.search(member)
        else _("Hệ thống khác")
    )
    service, sep, _rest = data.partition(" [")
    what = (
        _("Đọc dữ liệu: %(service)s") % {"service": service.strip()}
        if sep and service.strip() and not _TECHNICAL.search(service)
        else _("Đọc dữ liệu cá nhân của bạn")
    )
    return who, what


def _national_systems() -> dict[str, str]:
    # The names ``national.population`` and ``national.business`` write.
    return {
        "CSDLQG dân cư": _("Cơ sở dữ liệu quốc gia về dân cư"),
        "CSDLQG đăng ký doanh nghiệp": _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"),
    }


def _national_db(row: PersonalDataAccess, *, viewer_id: int | None) -> tuple[str, str]:
    system, sep, reader = row.accessor.partition(_DASH)
    system = system.strip()
    where = _national_systems().get(system) or _words(system, _("cơ sở dữ liệu quốc gia"))
    if viewer_id is not None and row.user_id == viewer_id:
        who = _("Bạn")
    elif not sep or reader.strip() == "system":
        who = _("Hệ thống một cửa (tự động)")
    else:
        who = _reader_name(reader)
    if row.purpose.strip() == PREFILL_PURPOSE:
        what = _("Điền sẵn tờ khai nộp hồ sơ trực tuyến từ %(system)s") % {"system": where}
    elif row.data.strip() == "tra cứu thông tin công dân":
        what = _("Tra cứu thông tin công dân trong %(system)s") % {"system": where}
    elif row.data.strip() == "tra cứu doanh nghiệp":
        what = _("Tra cứu thông tin doanh nghiệp trong %(system)s") % {"system": where}
    else:
        what = _("Tra cứu %(system)s") % {"system": where}
    return who, what


def _purpose(purpose: str) -> tuple[str, str]:
    """(the purpose in words, the dossier code it names or "")."""
    purpose = purpose.strip()
    if purpose == DRAFT_DOSSIER_PURPOSE:
        return _("Hồ sơ chưa nộp (bản nháp)"), ""
    if purpose.startswith(DOSSIER_PURPOSE_PREFIX):
        code = purpose[len(DOSSIER_PURPOSE_PREFIX) :].strip()
        if _DOSSIER_CODE.fullmatch(code):
            return _("Hồ sơ %(code)s") % {"code": code}, code
        return _("Giải quyết hồ sơ"), ""
    if purpose == EVIDENCE_PURPOSE:
        return _("Kiểm tra nhật ký trao đổi dữ liệu, xuất bằng chứng"), ""
    if purpose == PREFILL_PURPOSE:
        return _("Điền sẵn thông tin khi nộp hồ sơ trực tuyến"), ""
    if not purpose:
        return _("Không nêu mục đích"), ""
    return _words(purpose, _("Không nêu rõ mục đích")), ""


def access_label(
    row: PersonalDataAccess, *, viewer_id: int | None = None, form_names: Mapping[str, str] | None = None
) -> AccessLabel:
    """The row in the citizen's words. ``viewer_id``: the citizen looking (their own look-ups say "Bạn");
    ``form_names``: a form's public id -> its name, for the reads of an issued form."""
    names = form_names or {}
    purpose, code = _purpose(row.purpose)
    if row.accessor_kind == AccessorKind.STAFF:
        who, what = _reader_name(row.accessor), _staff_data(row.data, names)
    elif row.accessor_kind == AccessorKind.SYSTEM:
        who, what = _system_data(row.accessor, row.data)
    elif row.accessor_kind == AccessorKind.NATIONAL_DB:
        who, what = _national_db(row, viewer_id=viewer_id)
    else:
        who, what = _("Không xác định"), _("Xử lý dữ liệu cá nhân của bạn")
    return AccessLabel(who=who, what=what, purpose=purpose, dossier_code=code)


def form_public_ids(rows: list[PersonalDataAccess]) -> set[str]:
    """The public ids of issued forms the rows' staff reads opened (to look their names up at once)."""
    found = set()
    for row in rows:
        if row.accessor_kind != AccessorKind.STAFF:
            continue
        _head, sep, target = row.data.partition(_DASH)
        match = _FORM.match(target) if sep else None
        if match:
            try:
                found.add(str(uuid.UUID(match.group("public_id"))))
            except ValueError:
                continue
    return found
