"""Look-up of an enterprise in the national business registration database by its code, through the
gateway. Like the population look-up it never raises for the system's state: ``status="unavailable"``
with a message, and intake carries on."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailedError
from motcua.national.access import national_access_record
from motcua.national.client import NationalRefused, NationalUnavailable, gateway_call

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

SERVICE = "csdldn"
CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass(frozen=True)
class EnterpriseLookup:
    status: Literal["found", "not_found", "unavailable"]
    record: dict[str, Any] | None
    message: str

    @property
    def name(self) -> str:
        return str((self.record or {}).get("TenDoanhNghiep") or "")

    @property
    def address(self) -> str:
        place = (self.record or {}).get("DiaChiTruSo") or {}
        return str(place.get("ChiTiet") or "") if isinstance(place, dict) else ""

    @property
    def active(self) -> bool:
        return (self.record or {}).get("TinhTrangHoatDong") == "Đang hoạt động"


def lookup_enterprise(
    code: str, *, purpose: str, actor: User | None = None, dossier: Dossier | None = None
) -> EnterpriseLookup:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationFailedError(_("Mã số doanh nghiệp gồm 10 chữ số (đơn vị phụ thuộc thêm -NNN)."))
    where = _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")
    # An enterprise's register entry names its legal representative: logged like personal data.
    national_access_record(
        subject_id_number=code,
        system="CSDLQG đăng ký doanh nghiệp",
        data="tra cứu doanh nghiệp",
        purpose=purpose,
        user=actor,
        dossier=dossier,
    )
    try:
        answer = gateway_call(
            service=SERVICE, method="GET", path=f"api/v1/doanhnghiep/{code}", purpose=purpose, where=where
        )
    except NationalUnavailable as exc:
        logger.warning("business look-up unavailable: %s", exc)
        return EnterpriseLookup(
            "unavailable",
            None,
            _("%(problem)s Chưa đối chiếu được thông tin doanh nghiệp.") % {"problem": exc.message},
        )
    except NationalRefused as exc:
        return EnterpriseLookup("unavailable", None, exc.message)
    data = answer.data
    if data.get("MaKetQua") == "00" and isinstance(data.get("DoanhNghiep"), dict):
        found = EnterpriseLookup("found", data["DoanhNghiep"], "")
        message = _("Thông tin khớp với Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp.")
        if not found.active:
            message = _("Doanh nghiệp có tình trạng: %(state)s.") % {
                "state": data["DoanhNghiep"].get("TinhTrangHoatDong", "")
            }
        return EnterpriseLookup("found", data["DoanhNghiep"], message)
    if data.get("MaKetQua") == "01":
        return EnterpriseLookup("not_found", None, _("Không tìm thấy mã số doanh nghiệp này."))
    return EnterpriseLookup(
        "unavailable", None, _("%(system)s trả lời không đúng định dạng.") % {"system": where}
    )
