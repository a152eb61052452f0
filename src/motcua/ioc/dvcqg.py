"""The national portal's dossier record (``DongBoHoSoMC``, domain-vn.md §4.1) read into typed values: one
mapping for the importer of old systems' history (``motcua dossiers import --format dvcqg``) and for the
national-portal sync, which receives the same shape.

Dates are ``yyyyMMddHHmmss`` in Vietnam time. ``TrangThaiHoSo`` maps to our internal status by the national
code table (domain-vn.md §1.6), ``KenhThucHien`` 1/2/3 to counter/online/post."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.ioc.ontime import VN, Supplement

STATUS_BY_CODE: dict[int, str] = {
    1: "submitted",
    2: "received",
    3: "refused_at_intake",
    4: "processing",
    5: "awaiting_supplement",
    6: "awaiting_payment",
    7: "withdrawn",
    8: "stopped",
    9: "issued",
    10: "returned",
}
CHANNEL_BY_CODE: dict[int, str] = {1: "counter", 2: "online", 3: "post"}


def national_datetime(value: Any) -> dt.datetime | None:
    """``yyyyMMddHHmmss`` (Vietnam time) → aware datetime; empty → None; anything else → ValueError."""
    if value in (None, ""):
        return None
    text = str(value)
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"ngày giờ phải có dạng yyyyMMddHHmmss, nhận được {text!r}")
    return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=VN)


def national_datetime_format(value: dt.datetime | None) -> str:
    return value.astimezone(VN).strftime("%Y%m%d%H%M%S") if value is not None else ""


class _Base(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TaiLieuNopRecord(_Base):
    TenTepDinhKem: str = ""
    MaThanhPhanHoSo: str = ""
    DuongDanTaiTepTin: str = ""
    IsDeleted: bool = False
    DuocSoHoa: int = 0
    DuocLayTuKhoDMQG: int = 0


class LePhiRecord(_Base):
    TenPhiLePhi: str = ""
    MaPhiLePhi: str = ""
    Gia: float = 0


class HoSoBoSungRecord(_Base):
    NgayBoSung: dt.datetime | None = None
    NgayTiepNhanBoSung: dt.datetime | None = None
    NgayHenTraMoi: dt.datetime | None = None

    _dates = field_validator("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraMoi", mode="before")(
        national_datetime
    )


class GiayToKetQuaRecord(_Base):
    TenGiayTo: str = ""
    DuongDanTepTinKetQua: str = ""


class DossierRecord(_Base):
    MaHoSo: str = Field(min_length=1, max_length=40)
    MaTTHC: str = Field(min_length=1)
    DonViXuLy: str = Field(min_length=1)
    TrangThaiHoSo: int
    KenhThucHien: int = 1
    ChuHoSo: str = ""
    MaDoiTuong: str = ""
    LoaiDoiTuong: int = 1
    TrichYeuHoSo: str = ""
    NgayTiepNhan: dt.datetime | None = None
    NgayHenTra: dt.datetime | None = None
    NgayKetThucXuLy: dt.datetime | None = None
    NgayTra: dt.datetime | None = None
    DuocThanhToanTrucTuyen: int = 0
    TaiKhoanDuocXacThucVoiVNeID: int = 0
    HoSoCoThanhPhanSoHoa: int = 0
    MaKetQua: str = ""
    TaiLieuNop: list[TaiLieuNopRecord] = []
    DanhSachLePhi: list[LePhiRecord] = []
    DanhSachHoSoBoSung: list[HoSoBoSungRecord] = []
    DanhSachGiayToKetQua: list[GiayToKetQuaRecord] = []

    _dates = field_validator("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", mode="before")(
        national_datetime
    )

    @field_validator("TrangThaiHoSo")
    @classmethod
    def _status(cls, value: int) -> int:
        if value not in STATUS_BY_CODE:
            raise ValueError(f"TrangThaiHoSo phải từ 1 đến 10, nhận được {value}")
        return value

    @field_validator("KenhThucHien")
    @classmethod
    def _channel(cls, value: int) -> int:
        if value not in CHANNEL_BY_CODE:
            raise ValueError(f"KenhThucHien phải là 1, 2 hoặc 3, nhận được {value}")
        return value

    # What the index reads (domain-vn.md §2.3, legal-review.md §B).
    @property
    def status(self) -> str:
        return STATUS_BY_CODE[self.TrangThaiHoSo]

    @property
    def channel(self) -> str:
        return CHANNEL_BY_CODE[self.KenhThucHien]

    @property
    def documents(self) -> list[TaiLieuNopRecord]:
        return [doc for doc in self.TaiLieuNop if not doc.IsDeleted]

    @property
    def supplements(self) -> tuple[Supplement, ...]:
        return tuple(
            Supplement(requested_at=item.NgayBoSung, completed_at=item.NgayTiepNhanBoSung)
            for item in self.DanhSachHoSoBoSung
            if item.NgayBoSung is not None
        )

    @property
    def end_of_processing(self) -> dt.datetime | None:
        """Priority 9 > 10 > stop/refusal/withdrawal: ``NgayKetThucXuLy`` when synced, else ``NgayTra``;
        nothing for a dossier still open (statuses 1, 2, 4, 5, 6)."""
        if self.TrangThaiHoSo in (1, 2, 4, 5, 6):
            return None
        return self.NgayKetThucXuLy or self.NgayTra

    @property
    def paid_online(self) -> bool:
        return self.DuocThanhToanTrucTuyen in (1, 2)

    @property
    def e_result(self) -> bool:
        return any(item.DuongDanTepTinKetQua for item in self.DanhSachGiayToKetQua)

    @property
    def components_digitised(self) -> bool:
        docs = self.documents
        return bool(docs) and all(doc.DuongDanTaiTepTin for doc in docs)

    @property
    def reused(self) -> bool:
        return self.HoSoCoThanhPhanSoHoa == 1 or any(doc.DuocSoHoa == 1 for doc in self.documents)

    @property
    def from_store(self) -> bool:
        return any(doc.DuocLayTuKhoDMQG == 1 for doc in self.documents)

    @property
    def population_data(self) -> bool:
        return self.TaiKhoanDuocXacThucVoiVNeID == 1 or self.from_store


def record_parse(data: Any) -> DossierRecord:
    """Validate one record (``ValueError`` with a Vietnamese message naming each bad field)."""
    try:
        return DossierRecord.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'bản ghi'}: {item['msg']}"
            for item in error.errors()
        )
        raise ValueError(problems) from None
