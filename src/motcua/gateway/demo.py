"""The demo registry (``motcua gateway seed-demo``, run by ``motcua demo``): the members, services and
grants of CONTRACTS.md, the upstreams at the local simulators' ports, and the gateway's key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

from motcua.gateway.keys import gateway_key_create, key_directory
from motcua.gateway.models import MemberKind
from motcua.gateway.services import client_create, grant_add, member_upsert, service_upsert

DEMO_DVCQG_CLIENT_SECRET = "dvcqg-demo-lgsp-client-secret"  # noqa: S105


def _openapi(title: str, paths: dict[str, str]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": {
            p: {"post": {"summary": summary, "responses": {"200": {"description": "OK"}}}}
            for p, summary in paths.items()
        },
    }


def _upstream(name: str, port: int) -> str:
    return os.environ.get(f"MOTCUA_SIM_{name.upper()}_URL") or f"http://127.0.0.1:{port}/"


# code, provider member (code, name, kind, organisation code), service name, port, personal data, paths
DEMO_SERVICES: list[tuple[str, tuple[str, str, str, str], str, int, bool, dict[str, str]]] = [
    (
        "dvcqg",
        ("dvcqg", "Cổng Dịch vụ công quốc gia", MemberKind.NATIONAL, "000.00.00.G22"),
        "Đồng bộ hồ sơ, thủ tục với Cổng Dịch vụ công quốc gia",
        8711,
        False,
        {
            "/LayDanhSachTTHC": "Danh sách thủ tục hành chính",
            "/LayThuTuc": "Chi tiết một thủ tục",
            "/DongBoHoSoMC": "Đồng bộ hồ sơ một cửa",
            "/CapNhatTienDoHoSoMC": "Cập nhật tiến độ hồ sơ",
            "/TraCuuHoSo": "Tra cứu hồ sơ",
        },
    ),
    (
        "csdldc",
        ("csdldc", "Cơ sở dữ liệu quốc gia về dân cư (Bộ Công an)", MemberKind.NATIONAL, "G01.BCA"),
        "Tra cứu thông tin công dân",
        8712,
        True,
        {"/congdan/tracuu": "Tra cứu công dân theo số định danh cá nhân, họ tên, ngày sinh"},
    ),
    (
        "csdldn",
        ("csdldn", "Hệ thống thông tin quốc gia về đăng ký doanh nghiệp", MemberKind.NATIONAL, "G01.BTC"),
        "Tra cứu doanh nghiệp theo mã số",
        8713,
        False,
        {"/doanhnghiep/tracuu": "Tra cứu doanh nghiệp theo mã số doanh nghiệp"},
    ),
    (
        "vnpost",
        ("vnpost", "Tổng công ty Bưu điện Việt Nam", MemberKind.BUSINESS, "0100684378"),
        "Bưu chính công ích: thu gom hồ sơ, chuyển phát kết quả",
        8714,
        True,
        {"/orders/pickup": "Đơn thu gom hồ sơ", "/orders/delivery": "Đơn chuyển phát kết quả"},
    ),
]


def seed_demo(*, upstreams: dict[str, str] | None = None) -> list[str]:
    """Idempotent. ``upstreams`` overrides a service's upstream URL (tests, other ports)."""
    upstreams = upstreams or {}
    lines = []
    ours = member_upsert(
        code="motcua",
        name="Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Minh Sơn",
        kind=MemberKind.PROVINCE,
        organisation_code="000.00.00.H99",
    )
    services = {}
    for code, (m_code, m_name, m_kind, m_org), name, port, personal, paths in DEMO_SERVICES:
        member = member_upsert(code=m_code, name=m_name, kind=m_kind, organisation_code=m_org)
        services[code] = service_upsert(
            code=code,
            provider=member,
            name=name,
            upstream_url=upstreams.get(code) or _upstream(code, port),
            description=_openapi(name, paths),
            personal_data=personal,
        )
    services["motcua"] = service_upsert(
        code="motcua",
        provider=ours,
        name="Tiếp nhận hồ sơ, kết quả từ hệ thống quốc gia",
        upstream_url=upstreams.get("motcua") or settings.SITE_URL.rstrip("/") + "/api/v1/lgsp/",
        description=_openapi("Một Cửa — LGSP inbound", {"/dossiers": "Hồ sơ nộp trên Cổng DVCQG chuyển về"}),
    )
    client, _ = client_create(
        member=ours, client_id=settings.MOTCUA_GATEWAY_CLIENT_ID, secret=settings.MOTCUA_GATEWAY_CLIENT_SECRET
    )
    for code in ("dvcqg", "csdldc", "csdldn", "vnpost"):
        grant_add(client=client, service=services[code], legal_basis="Nghị định 118/2025/NĐ-CP")
    dvcqg_member = services["dvcqg"].provider
    dvcqg_client, _ = client_create(
        member=dvcqg_member,
        client_id="dvcqg",
        secret=os.environ.get("MOTCUA_GATEWAY_DVCQG_CLIENT_SECRET") or DEMO_DVCQG_CLIENT_SECRET,
    )
    grant_add(client=dvcqg_client, service=services["motcua"], legal_basis="Nghị định 118/2025/NĐ-CP")
    lines.append(
        f"LGSP registry: {len(services)} services, clients {client.client_id} and {dvcqg_client.client_id}."
    )
    directory: Path = key_directory()
    if not directory.exists():
        lines.append(f"No {directory} yet: run `motcua pki demo`, then this again, for the gateway's key.")
    elif gateway_key_create(directory):
        lines.append(f"Gateway signing key written to {directory}.")
    return lines
