"""Writes of the identity app. ``record_personal_data_access`` is the one entry point every app uses to
record a processing of a citizen's personal data (CONTRACTS.md): staff reads come in through the
``dossiers.personal_data`` port, national-database look-ups and gateway reads call it directly."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.identity.models import (
    AccessorKind,
    Consent,
    DataErrorReport,
    LoginPolicy,
    PersonalDataAccess,
    VneidLink,
    VneidLoginFailure,
)

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier
    from motcua.gateway.personal_data import GatewayRead
    from motcua.identity.vneid import VneidIdentity

logger = logging.getLogger(__name__)


def _clip(value: str, field: str) -> str:
    limit = getattr(PersonalDataAccess._meta.get_field(field), "max_length", None) or 300
    return value[:limit]


def record_personal_data_access(
    *,
    subject_id_number: str,
    accessor_kind: str,
    accessor: str,
    data: str,
    purpose: str,
    user: User | None = None,
) -> PersonalDataAccess:
    """Record that ``accessor`` (a staff member, another system, a national-database look-up) processed
    ``data`` of the citizen ``subject_id_number`` for ``purpose`` (a dossier code "HS:<code>" or a legal
    basis). Runs in the caller's transaction; the citizen sees it on "who used my data"."""
    if accessor_kind not in AccessorKind.values:
        raise ValueError(f"unknown accessor_kind {accessor_kind!r}")
    return PersonalDataAccess.objects.create(
        subject_id_number=subject_id_number.strip(),
        at=clock.now(),
        accessor_kind=accessor_kind,
        accessor=_clip(accessor, "accessor"),
        user=user if getattr(user, "is_authenticated", False) else None,
        data=_clip(data, "data"),
        purpose=_clip(purpose, "purpose"),
    )


# What a staff read of a dossier touched, by the dossier access log's kind. Shared with
# ``access_labels``, which reads the shapes written here back into words for the citizen.
STAFF_READ_DATA = {
    "view": "Hồ sơ: thông tin chủ hồ sơ, thành phần hồ sơ",
    "file": "Tệp đính kèm hồ sơ",
    "pdf": "Văn bản PDF của hồ sơ",
    "export": "Danh sách hồ sơ (trích xuất)",
    "api": "Hồ sơ (đọc qua API)",
    "action": "Hồ sơ (thao tác xử lý)",
    "admin_search": "Hồ sơ (tìm kiếm trong trang quản trị)",
}


# The purpose of a read done for a dossier: "HS:<code>" (also written by ``national`` and ``registries``).
DOSSIER_PURPOSE_PREFIX = "HS:"
DRAFT_DOSSIER_PURPOSE = "HS:(bản nháp)"
# An official's download of a gateway exchange's evidence.
EVIDENCE_DATA_PREFIX = "Bằng chứng nhật ký nền tảng tích hợp: "
EVIDENCE_PURPOSE = "Kiểm tra nhật ký trao đổi dữ liệu (LGSP), xuất bằng chứng"


class DossierReadsToAccessRecord:
    """The ``dossiers.personal_data`` port: each staff read of a dossier is one row per person whose
    data the dossier holds (the applicant, and the submitter acting for them)."""

    def staff_reads_record(
        self,
        *,
        user: User,
        reader: str,
        dossiers: Sequence[Dossier],
        kind: str,
        target: str,
        at: dt.datetime,
    ) -> None:
        what = STAFF_READ_DATA.get(kind, kind)
        if target:
            what = f"{what} — {target}"
        rows = []
        for dossier in dossiers:
            purpose = f"{DOSSIER_PURPOSE_PREFIX}{dossier.code}" if dossier.code else DRAFT_DOSSIER_PURPOSE
            for subject in {dossier.applicant_id_number, dossier.submitter_id_number} - {""}:
                rows.append(
                    PersonalDataAccess(
                        subject_id_number=subject,
                        at=at,
                        accessor_kind=AccessorKind.STAFF,
                        accessor=_clip(reader, "accessor"),
                        user=user,
                        data=_clip(what, "data"),
                        purpose=purpose,
                    )
                )
        PersonalDataAccess.objects.bulk_create(rows)


class GatewayReadsToAccessRecord:
    """The ``gateway.personal_data`` port: a client system's read through the gateway is one row per
    citizen it named (by ID number, or as the applicant or submitter of a dossier it named), kind
    ``system``: the system by name and client id instead of an official, the stated purpose (X-Purpose).
    An official's download of the exchange's evidence is one row per citizen too, kind ``staff``."""

    def _subjects(self, read: GatewayRead) -> list[str]:
        from motcua.dossiers.models import Dossier

        subjects: dict[str, None] = dict.fromkeys(read.subject_id_numbers)
        if read.dossier_codes:
            for applicant, submitter in Dossier.objects.filter(code__in=read.dossier_codes).values_list(
                "applicant_id_number", "submitter_id_number"
            ):
                subjects.update(dict.fromkeys(s for s in (applicant, submitter) if s))
        return list(subjects)

    def _write(
        self,
        read: GatewayRead,
        *,
        kind: str,
        accessor: str,
        user: User | None,
        data: str,
        purpose: str,
        at: dt.datetime,
    ) -> None:
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(
                subject_id_number=subject,
                at=at,
                accessor_kind=kind,
                accessor=_clip(accessor, "accessor"),
                user=user,
                data=_clip(data, "data"),
                purpose=_clip(purpose, "purpose"),
            )
            for subject in self._subjects(read)
        )

    def gateway_read_record(self, read: GatewayRead) -> None:
        self._write(
            read,
            kind=AccessorKind.SYSTEM,
            accessor=f"{read.member_name} ({read.client_id})",
            user=None,
            data=f"{read.service_name} [{read.service_code}] — {read.method} /{read.path} "
            f"(thông điệp {read.message_id})",
            purpose=read.purpose,
            at=read.at,
        )

    def evidence_read_record(self, read: GatewayRead, *, user: Any, reader: str) -> None:
        self._write(
            read,
            kind=AccessorKind.STAFF,
            accessor=reader,
            user=user if getattr(user, "is_authenticated", False) else None,
            data=f"{EVIDENCE_DATA_PREFIX}{read.service_name} [{read.service_code}] "
            f"(thông điệp {read.message_id} của {read.client_id})",
            purpose=EVIDENCE_PURPOSE,
            at=clock.now(),
        )


# --- VNeID login ---------------------------------------------------------------------------------


class VneidLinkRefused(ApplicationError):
    """The verified identity cannot log in here (a staff account, too low a level)."""

    status_code = 403


def vneid_login_failure_record(*, reason: str, detail: str = "", ip: str | None = None) -> VneidLoginFailure:
    logger.warning("VNeID login refused: %s (%s)", reason, detail)
    return VneidLoginFailure.objects.create(at=clock.now(), reason=reason[:32], detail=detail[:2000], ip=ip)


def vneid_account_for(identity: VneidIdentity) -> User:
    """The account this verified identity logs in to. Rules, in order:

    1. the account already linked to this VNeID subject;
    2. else the citizen account with the same personal ID number (registered with a password earlier), now
       linked — never a staff or business account (staff keep their local passwords and second factor);
    3. else a new citizen account with the verified name and ID number and no usable password.

    A level below ``MOTCUA_VNEID_MIN_LEVEL`` is refused (level 2 = identity verified in person)."""
    from django.conf import settings

    from motcua.accounts.models import AccountKind, User

    try:
        level = int(identity.level or "0")
    except ValueError:
        level = 0
    if level < settings.MOTCUA_VNEID_MIN_LEVEL:
        raise VneidLinkRefused(
            _(
                "Tài khoản định danh điện tử mức %(level)s chưa đủ để dùng dịch vụ công; cần mức %(min)s. "
                "Vui lòng nâng mức tài khoản trên ứng dụng VNeID."
            )
            % {"level": identity.level or "?", "min": settings.MOTCUA_VNEID_MIN_LEVEL},
            {"reason": "level"},
        )
    now = clock.now()
    with transaction.atomic():
        link = VneidLink.objects.select_related("user").filter(subject=identity.subject).first()
        if link is not None:
            if link.id_number != identity.id_number:
                raise VneidLinkRefused(
                    _("Số định danh của tài khoản VNeID đã thay đổi; vui lòng liên hệ bộ phận hỗ trợ."),
                    {"reason": "id_changed"},
                )
            link.last_login_at = now
            link.assurance_level = identity.level
            link.save(update_fields=["last_login_at", "assurance_level"])
            return link.user
        user = User.objects.select_for_update().filter(national_id=identity.id_number).first()
        if user is not None and user.kind != AccountKind.CITIZEN:
            raise VneidLinkRefused(
                _(
                    "Số định danh này thuộc một tài khoản cán bộ hoặc tổ chức: đăng nhập bằng tên và "
                    "mật khẩu của tài khoản đó."
                ),
                {"reason": "not_citizen"},
            )
        if user is not None and VneidLink.objects.filter(user=user).exists():
            raise VneidLinkRefused(
                _("Tài khoản này đã liên kết với một tài khoản VNeID khác."), {"reason": "linked_elsewhere"}
            )
        if user is None:
            user = User(
                username=f"vneid-{identity.id_number}",
                kind=AccountKind.CITIZEN,
                full_name=identity.full_name,
                national_id=identity.id_number,
            )
            user.set_unusable_password()
            user.save()
        VneidLink.objects.create(
            user=user,
            subject=identity.subject,
            id_number=identity.id_number,
            assurance_level=identity.level,
            linked_at=now,
            last_login_at=now,
        )
    return user


def login_policy() -> LoginPolicy:
    policy = LoginPolicy.objects.order_by("pk").first()
    return policy if policy is not None else LoginPolicy()


def citizen_password_login_allowed(user: User) -> bool:
    """Local passwords always work for staff; for citizens and businesses only while the administrator
    leaves the switch on (LoginPolicy, admin)."""
    from motcua.accounts.models import AccountKind

    return user.kind == AccountKind.STAFF or login_policy().citizen_password_login


# --- Consent ---------------------------------------------------------------------------------------


def consent_grant(*, user: User, purpose_code: str) -> Consent:
    """The citizen consents to a purpose that needs it (Law 91/2025/QH15 art. 9): recorded with its time."""
    from motcua.identity.selectors import purposes_in_force

    purpose = next((p for p in purposes_in_force() if p.code == purpose_code and p.needs_consent), None)
    if purpose is None:
        raise ApplicationError(_("Mục đích này không cần hoặc không nhận sự đồng ý."), {"field": "purpose"})
    with transaction.atomic():
        existing = (
            Consent.objects.select_for_update().filter(user=user, purpose=purpose, withdrawn_at=None).first()
        )
        if existing is not None:
            return existing
        return Consent.objects.create(user=user, purpose=purpose, granted_at=clock.now())


def consent_withdraw(*, user: User, purpose_code: str) -> int:
    """Withdraw the standing consent for a purpose (art. 12): as easy as giving it; returns rows changed."""
    return Consent.objects.filter(user=user, purpose__code=purpose_code, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now()
    )


def data_error_report(*, user: User, field: str, message: str) -> DataErrorReport:
    if not message.strip():
        raise ApplicationError(_("Vui lòng mô tả thông tin sai."), {"field": "message"})
    return DataErrorReport.objects.create(user=user, at=clock.now(), field=field[:64], message=message[:4000])
