"""Our dossier as the national portal reads it: the ``DongBoHoSoMC`` record and the
``CapNhatTienDoHoSoMC`` progress entries (field names of domain-vn.md §4.1), with the status code from
the project's mapping table (``dossiers.status.national_status_code``: law as data) and the flags the
766 index reads (§2.3, §4.3).

The flags other parts of the system add to dossiers (paid online, VNeID-verified, digitised and reused
components) are read with ``getattr`` defaults, so this module works whichever of them exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.catalog.models import Channel
from motcua.core.clock import VIETNAM_TZ
from motcua.dossiers.models import ApplicantKind, Dossier, DossierEvent, ReturnMethod
from motcua.dossiers.status import national_status_code
from motcua.dossiers.workflow import Actor, TimelineAction

DATE_FORMAT = "%Y%m%d%H%M%S"
# KenhThucHien: 1 in person, 2 online, 3 public post (catalog.models.Channel).
CHANNEL_CODES: dict[str, int] = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POST: 3}
# HinhThuc (how the result is received): 1 at the desk, 2 by post, 3 online.
RETURN_CODES: dict[str, int] = {ReturnMethod.COUNTER: 1, ReturnMethod.POST: 2, ReturnMethod.ONLINE: 3}
# DuocThanhToanTrucTuyen (§4.3): 1 paid on the national platform, 2 through the province's gateway.
NATIONAL_PAYMENT_CHANNELS = frozenset({"dvcqg", "paygov", "national"})
UNIT_LABELS = {
    "working_days": "Ngày làm việc",
    "days": "Ngày",
    "hours": "Giờ làm việc",
    "months": "Tháng",
    "same_day": "Trong ngày",
}


def national_date(value: dt.datetime | None) -> str:
    return value.astimezone(VIETNAM_TZ).strftime(DATE_FORMAT) if value is not None else ""


def result_link(dossier: Dossier) -> str:
    """The e-result's public address (the verification page of the signed result), or ""."""
    from motcua.signatures.models import IssuedDocument

    document = IssuedDocument.objects.filter(dossier=dossier, kind="result").order_by("-issued_at").first()
    return document.verification_url() if document is not None else ""


def payment_flag(dossier: Dossier) -> int:
    if not getattr(dossier, "paid_online", False):
        return 0
    channel = str(getattr(dossier, "payment_channel", "") or "").lower()
    return 1 if channel in NATIONAL_PAYMENT_CHANNELS else 2


def dossier_record(dossier: Dossier, *, link: str | None = None) -> dict[str, Any]:
    """The ``DongBoHoSoMC`` item for ``dossier`` as it is now."""
    version = dossier.procedure_version
    components = list(
        dossier.components.all().prefetch_related("files").select_related("catalogue_component")
    )
    documents = []
    reused = False
    for component in components:
        files = list(component.files.all())
        digitised = bool(getattr(component, "digitised", False))
        from_store = bool(getattr(component, "reused_from_store", False))
        reused = reused or from_store or bool(getattr(component, "reused", False))
        documents.append(
            {
                "TepDinhKemId": str(files[0].pk) if files else "",
                "TenTepDinhKem": files[0].original_name if files else component.name,
                "IsDeleted": False,
                "MaThanhPhanHoSo": component.catalogue_component.code
                if component.catalogue_component
                else "",
                "DuongDanTaiTepTin": "",  # applicants' files stay in the province (personal data)
                "DuocSoHoa": 1 if digitised else 0,
                "DuocLayTuKhoDMQG": 1 if from_store else 0,
            }
        )
    link = result_link(dossier) if link is None else link
    results = []
    if link or dossier.result_number:
        results.append(
            {
                "TenGiayTo": version.result_name,
                "MaThanhPhanHoSo": version.result_code,
                "GiayToId": dossier.result_number,
                "DuongDanTepTinKetQua": link,
            }
        )
    record: dict[str, Any] = {
        "MaHoSo": dossier.code,
        "SoBienNhan": dossier.code,
        "MaTTHC": version.procedure.national_code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 2 if dossier.applicant_kind == ApplicantKind.BUSINESS else 1,
        "MaDoiTuong": dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": (dossier.summary or version.name)[:1000],
        "NgayTiepNhan": national_date(dossier.received_at),
        "NgayHenTra": national_date(dossier.appointment_at),
        "TrangThaiHoSo": national_status_code(dossier.status),
        "NgayTra": national_date(dossier.returned_at),
        "NgayKetThucXuLy": national_date(dossier.processing_finished_at),
        "HinhThuc": RETURN_CODES.get(dossier.return_method, 1),
        "DonViXuLy": dossier.competent_agency.code,
        "GhiChu": "",
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, 1),
        "DuocThanhToanTrucTuyen": payment_flag(dossier),
        "TaiKhoanDuocXacThucVoiVNeID": 1 if getattr(dossier, "vneid_verified", False) else 0,
        "HoSoCoThanhPhanSoHoa": 1 if reused else 0,
        "MaKetQua": dossier.result_number,
        "ThoiGianGiaiQuyet": format(version.time_limit_value.normalize(), "f"),
        "DonViTinh": UNIT_LABELS.get(version.time_limit_unit, version.time_limit_unit),
        "TaiLieuNop": documents,
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": fee.name,
                "MaPhiLePhi": "",
                "HinhThucThu": 1,
                "Gia": 0 if fee.exempt else int(fee.amount),
                "LoaiPhiLePhi": 2,
            }
            for fee in dossier.fees.all()
        ],
        "DanhSachGiayToKetQua": results,
        "DuongDanTepTinKetQua": link,
    }
    return record


def progress_entry(event: DossierEvent, dossier: Dossier) -> dict[str, Any]:
    """One ``CapNhatTienDoHoSoMC`` item: who did what, when (``MaTienDo`` makes a resend harmless)."""
    actor = event.actor
    label = TimelineAction(event.action).label if event.action in TimelineAction.values else event.action
    content = str(label) + (f": {event.reason}" if event.reason else "")
    return {
        "MaHoSo": dossier.code,
        "MaTienDo": f"{dossier.code}-{event.pk}",
        "NguoiXuLy": (actor.full_name or actor.username) if actor is not None else "Hệ thống",
        "ChucDanh": str(Actor(event.actor_role).label)
        if event.actor_role in Actor.values
        else event.actor_role,
        "ThoiDiemXuLy": national_date(event.at),
        "PhongBanXuLy": event.actor_agency.name if event.actor_agency is not None else "",
        "NoiDungXuLy": content[:2000],
        "TrangThai": national_status_code(event.to_status or dossier.status),
        "NgayBatDau": national_date(event.at),
        "NgayKetThucTheoQuyDinh": national_date(dossier.appointment_at),
    }
