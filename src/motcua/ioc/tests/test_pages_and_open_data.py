"""The dashboard for the monitoring role (every count a link to its dossiers, a what-if, the JSON it polls),
the public statistics page and the open-data API with its CSV and XLSX exports — and no personal data."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.ioc.tests.conftest import VN, record

NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=VN)


@pytest.fixture
def october(load: Callable[..., Any]) -> Any:
    load(
        record(
            "EARLY-1",
            9,
            NgayTiepNhan="20251001080000",
            NgayHenTra="20251010170000",
            NgayKetThucXuLy="20251008100000",
        ),
        record("LATE-1", 4, NgayTiepNhan="20251001080000", NgayHenTra="20251015170000", KenhThucHien=2),
        record("SOON-1", 4, NgayTiepNhan="20251015080000", NgayHenTra="20251021170000"),
        record("TODAY-1", 4, NgayTiepNhan="20251020080000", NgayHenTra="20251027170000"),
    )
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_counts_link_to_their_dossiers(october: Any, ioc_viewer: Any) -> None:
    client = _client(ioc_viewer)
    page = client.get("/ioc/").content.decode()
    assert 'data-count="open_late">1<' in page
    assert 'data-count="received_today">1<' in page
    assert 'data-count="finished_early">1<' in page
    assert 'data-count="due_soon">1<' in page  # SOON-1, due tomorrow 17:00
    assert "<svg" in page
    assert "<caption>" in page
    assert "Nguyễn Văn Thử" not in page  # no applicant on the IOC
    late = client.get("/ioc/ho-so/open_late/").content.decode()
    assert "LATE-1" in late
    assert "quá hạn" in late
    assert "15/10/2025 17:00" in late
    assert "Nguyễn Văn Thử" not in late
    data = client.get("/ioc/du-lieu.json").json()
    assert data["counts"]["open_late"] == 1
    assert data["charts"]["outcome"].startswith("<svg")


def test_indicator_evidence_and_what_if(october: Any, ioc_viewer: Any) -> None:
    client = _client(ioc_viewer)
    page = client.get("/ioc/chi-so/2.1/late/?from=2025-10-01&to=2025-10-31").content.decode()
    assert "LATE-1" in page
    assert "EARLY-1" not in page
    result = client.post(
        "/ioc/gia-dinh/?from=2025-10-01&to=2025-10-31", {"code": ["LATE-1"]}
    ).content.decode()
    assert 'id="what-if-total"' in result
    assert "LATE-1" in result
    api = client.post(
        "/api/v1/statistics/index/what-if",
        data={"codes": ["LATE-1"], "start": "2025-10-01", "end": "2025-10-31"},
        content_type="application/json",
    )
    assert api.status_code == 200
    body = api.json()
    assert (
        body["after"]["indicators"]["4.1"]["numerator"]
        == body["before"]["indicators"]["4.1"]["numerator"] + 1
    )


def test_only_monitoring_roles_open_the_dashboard(october: Any, citizen_an: Any, clerk_binh: Any) -> None:
    assert _client(citizen_an).get("/ioc/").status_code == 403
    assert _client(clerk_binh).get("/ioc/ho-so/open_late/").status_code == 403
    assert Client().get("/ioc/").status_code == 302


def test_public_statistics_and_open_data(october: Any) -> None:
    client = Client()
    page = client.get("/thong-ke/?from=2025-10-01&to=2025-10-31").content.decode()
    assert "Sở Văn hóa" in page
    assert "Nguyễn Văn Thử" not in page
    assert "LATE-1" not in page
    assert client.get("/thong-ke/000.00.02.H99/").status_code == 200
    summary = client.get("/api/v1/statistics/open/summary?start=2025-10-01&end=2025-10-31").json()
    assert summary["figures"]["received"] == 4
    assert summary["figures"]["finished_early"] == 1
    assert summary["figures"]["open_late"] == 1
    csv = client.get("/api/v1/statistics/open/agencies.csv?start=2025-10-01&end=2025-10-31")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("agency_code,agency_name,received")
    assert lines[1].startswith("000.00.02.H99,Sở Văn hóa, Thể thao và Du lịch,4,1,3,0,1,1,0,0,3,1") or lines[
        1
    ].startswith('000.00.02.H99,"Sở Văn hóa, Thể thao và Du lịch",4,1,3,0,1,1,0,0,3,1')
    from openpyxl import load_workbook

    xlsx = client.get("/api/v1/statistics/open/agencies.xlsx?start=2025-10-01&end=2025-10-31")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]][:3] == ["000.00.02.H99", "Sở Văn hóa, Thể thao và Du lịch", 4]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/statistics/open/agencies.xlsx" in paths
    assert "/api/v1/statistics/index" in paths
