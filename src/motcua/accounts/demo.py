"""Demo accounts of tỉnh Minh Sơn. Passwords come from MOTCUA_DEMO_PASSWORD (demo only).

Needs ``agencies.demo.load_demo_agencies()`` first. Staff roles start on 01/07/2025 (the two-tier reform).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.accounts.models import AccountKind, Role, StaffRole, User
from motcua.agencies.models import Agency
from motcua.core.auth import api_token_with_key
from motcua.core.env import env_str


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


# username, full name, role, agency code
STAFF: list[tuple[str, str, str, str]] = [
    ("binh", "Trần Văn Bình", Role.ONE_STOP_CLERK, "000.00.09.H99"),
    ("tiepnhan.minhkhai", "Lý Thị Hoa", Role.ONE_STOP_CLERK, "000.01.31.H99"),
    ("chi", "Phạm Thị Chi", Role.SPECIALIST, "000.00.02.H99"),
    ("chuyenvien.xd", "Đặng Văn Hùng", Role.SPECIALIST, "000.00.03.H99"),
    ("chuyenvien.mk", "Bùi Thị Lan Anh", Role.SPECIALIST, "000.00.31.H99"),
    ("dung", "Hoàng Văn Dũng", Role.LEADER, "000.00.02.H99"),
    ("lanhdao.xd", "Trịnh Minh Quang", Role.LEADER, "000.00.03.H99"),
    ("lanhdao.mk", "Cao Văn Sơn", Role.LEADER, "000.00.31.H99"),
    ("em", "Đỗ Thị Em", Role.CLERICAL_OFFICER, "000.00.02.H99"),
    ("vanthu.xd", "Mai Thị Thu", Role.CLERICAL_OFFICER, "000.00.03.H99"),
    ("vanthu.mk", "Lê Văn Tâm", Role.CLERICAL_OFFICER, "000.00.31.H99"),
    ("ioc", "Vũ Thị Hạnh", Role.IOC_VIEWER, "000.00.00.H99"),
]
# username, full name, kind, national ID (12 digits, §4.4), phone
CITIZENS: list[tuple[str, str, str, str, str]] = [
    ("an", "Nguyễn Văn An", AccountKind.CITIZEN, "001090012345", "0912345678"),
    ("lan", "Trần Thị Lan", AccountKind.CITIZEN, "001195006789", "0987654321"),
]


def load_demo_users() -> list[DemoLogin]:
    """Idempotent: users are matched by username; roles by (user, agency, role)."""
    password = env_str("MOTCUA_DEMO_PASSWORD", "motcua-demo-2026")
    logins: list[DemoLogin] = []
    province = Agency.objects.get(code="000.00.00.H99")
    admin = _user("admin", "Ngô Thị Giang", AccountKind.STAFF, password)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    _role(admin, province, Role.ADMINISTRATOR)
    logins.append(DemoLogin("admin", password, f"{Role.ADMINISTRATOR.label} @ {province.name} (/admin/)"))
    for username, name, role, code in STAFF:
        agency = Agency.objects.get(code=code)
        user = _user(username, name, AccountKind.STAFF, password)
        _role(user, agency, role)
        logins.append(DemoLogin(username, password, f"{Role(role).label} @ {agency.name}"))
    for username, name, kind, national_id, phone in CITIZENS:
        user = _user(username, name, kind, password, national_id=national_id, phone=phone)
        logins.append(DemoLogin(username, password, f"Công dân {user.full_name}"))
    business = _user("congty.abc", "Công ty TNHH ABC Minh Sơn", AccountKind.BUSINESS, password)
    if not business.business_code:
        business.business_code = "0101234567"
        business.organisation_name = "Công ty TNHH ABC Minh Sơn"
        business.save(update_fields=["business_code", "organisation_name"])
    logins.append(DemoLogin("congty.abc", password, "Doanh nghiệp Công ty TNHH ABC Minh Sơn"))
    return logins


def _user(
    username: str, full_name: str, kind: str, password: str, *, national_id: str = "", phone: str = ""
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            full_name=full_name,
            kind=kind,
            national_id=national_id,
            phone=phone,
            email=f"{username}@demo.minhson.gov.vn",
        )
        user.set_password(password)
        user.save()
    return user


def _role(user: User, agency: Agency, role: str) -> None:
    StaffRole.objects.get_or_create(
        user=user, agency=agency, role=role, defaults={"valid_from": dt.date(2025, 7, 1)}
    )


def demo_api_tokens() -> list[tuple[str, str]]:
    """Demo tokens for the citizen "an" and the clerk "binh" (keys from MOTCUA_DEMO_API_TOKEN_*)."""
    result = []
    for username, default in (
        ("an", "mc_demo_citizen_an_token_2026"),
        ("binh", "mc_demo_clerk_binh_token_2026"),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        key = env_str(f"MOTCUA_DEMO_API_TOKEN_{username.upper()}", default)
        api_token_with_key(user=user, name="demo", key=key)
        result.append((username, key))
    return result
