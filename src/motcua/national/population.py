"""Look-up of a citizen in the national population database (CSDLQG về dân cư, domain-vn.md §4.4) through
the gateway: the ID number with the full name (and the date of birth when known), a stated purpose on every
call (``X-Purpose``), each call recorded in the personal-data access log.

``lookup_citizen`` never raises for the database's state: a system that is down, slow or answers garbage
is ``status="unavailable"`` with a message for the clerk — intake carries on without it. Only a malformed
ID number (the caller's input) is a ``ValidationFailedError``."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailedError
from motcua.national.access import national_access_record
from motcua.national.client import NationalRefused, NationalUnavailable, gateway_call

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

SERVICE = "csdldc"
LookupStatus = Literal["found", "not_found", "mismatch", "unavailable"]


@dataclass(frozen=True)
class CitizenLookup:
    status: LookupStatus
    record: dict[str, Any] | None
    message: str
    # Which given fields differ from the register ("HoVaTen", "NgayThangNam") when status is "mismatch".
    differing: list[str] = field(default_factory=list)
    message_id: str = ""

    @property
    def full_name(self) -> str:
        if not self.record:
            return ""
        name = self.record.get("HoVaTen") or {}
        return " ".join(str(name.get(k) or "") for k in ("Ho", "ChuDem", "Ten") if name.get(k))

    @property
    def birth_date(self) -> dt.date | None:
        raw = str((self.record or {}).get("NgayThangNam") or "")
        try:
            return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
        except ValueError:
            return None

    @property
    def address(self) -> str:
        place = (self.record or {}).get("NoiOHienTai") or (self.record or {}).get("ThuongTru") or {}
        return str(place.get("ChiTiet") or "") if isinstance(place, dict) else ""


def _system_name() -> str:
    return _("Cơ sở dữ liệu quốc gia về dân cư")


def lookup_citizen(
    id_number: str,
    *,
    purpose: str,
    full_name: str | None = None,
    birth_date: dt.date | None = None,
    actor: User | None = None,
    dossier: Dossier | None = None,
) -> CitizenLookup:
    """The citizen's CongDan record if the ID number, name (and date of birth) match the register."""
    id_number = (id_number or "").strip()
    if len(id_number) != 12 or not id_number.isdigit():
        raise ValidationFailedError(
            _("Số định danh cá nhân gồm đúng 12 chữ số."), {"fields": {"id_number": "12 digits"}}
        )
    if not purpose.strip():
        raise ValidationFailedError(_("Mỗi lần tra cứu dữ liệu cá nhân phải nêu mục đích."))
    body: dict[str, Any] = {"SoDinhDanh": id_number, "HoVaTen": (full_name or "").strip(), "MucDich": purpose}
    if birth_date is not None:
        body["NgayThangNam"] = birth_date.strftime("%Y%m%d")
    where = _system_name()
    national_access_record(
        subject_id_number=id_number,
        system="CSDLQG dân cư",
        data="tra cứu thông tin công dân",
        purpose=purpose,
        user=actor,
        dossier=dossier,
    )
    if not body["HoVaTen"]:
        return CitizenLookup("not_found", None, _("Cần họ và tên để đối chiếu với cơ sở dữ liệu dân cư."))
    try:
        answer = gateway_call(
            service=SERVICE,
            method="POST",
            path="api/v1/congdan/tracuu",
            body=body,
            purpose=purpose,
            where=where,
        )
    except NationalUnavailable as exc:
        logger.warning("population look-up unavailable: %s", exc)
        return CitizenLookup(
            "unavailable",
            None,
            _(
                "%(problem)s Chưa đối chiếu được thông tin; hồ sơ vẫn được tiếp nhận, "
                "đề nghị kiểm tra giấy tờ."
            )
            % {"problem": exc.message},
        )
    except NationalRefused as exc:
        return CitizenLookup(
            "unavailable",
            None,
            _("Cơ sở dữ liệu dân cư từ chối yêu cầu: %(message)s") % {"message": exc.message},
        )
    data = answer.data
    code = str(data.get("MaKetQua") or "")
    if code == "00" and isinstance(data.get("CongDan"), dict):
        return CitizenLookup(
            "found",
            data["CongDan"],
            _("Thông tin khớp với Cơ sở dữ liệu quốc gia về dân cư."),
            [],
            answer.message_id,
        )
    if code == "01":
        return CitizenLookup(
            "not_found",
            None,
            _("Không tìm thấy số định danh này trong Cơ sở dữ liệu quốc gia về dân cư."),
            [],
            answer.message_id,
        )
    if code == "02":
        differing = [str(x) for x in data.get("TruongKhongKhop") or [] if isinstance(x, str)]
        labels = {"HoVaTen": _("họ và tên"), "NgayThangNam": _("ngày sinh")}
        names = ", ".join(labels.get(x, x) for x in differing) or _("thông tin")
        return CitizenLookup(
            "mismatch",
            None,
            _(
                "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư (%(fields)s): không tự điền; "
                "đề nghị kiểm tra lại giấy tờ của người nộp."
            )
            % {"fields": names},
            differing,
            answer.message_id,
        )
    return CitizenLookup(
        "unavailable",
        None,
        _("%(system)s trả lời không đúng định dạng. Chưa đối chiếu được thông tin.") % {"system": where},
    )
