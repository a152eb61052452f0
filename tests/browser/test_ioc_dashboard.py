"""The operations centre in a browser (issue 18): the monitoring user opens the dashboard, follows the late
count to its dossiers (each with why it is late), comes back and runs a what-if; the page refreshes its
counts without reloading."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.browser.test_dossier_journey import SHOTS
from tests.browser.test_phone_and_keyboard import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VN = dt.timezone(dt.timedelta(hours=7))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(VN).strftime("%Y%m%d%H%M%S")


def _history() -> None:
    from motcua.catalog.models import ProcedureVersion
    from motcua.ioc.importer import dossiers_import

    version = (
        ProcedureVersion.objects.published()
        .exclude(procedure__national_code="")
        .select_related("procedure")
        .first()
    )
    assert version is not None
    base = {
        "MaTTHC": version.procedure.national_code,
        "DonViXuLy": version.competent_agency.code,
        "ChuHoSo": "—",
    }
    now = dt.datetime.now(tz=VN)
    records = [
        {
            **base,
            "MaHoSo": "IOC-LATE-1",
            "TrangThaiHoSo": 4,
            "NgayTiepNhan": _stamp(now - dt.timedelta(days=3)),
            "NgayHenTra": _stamp(now - dt.timedelta(hours=5)),
        },
        {
            **base,
            "MaHoSo": "IOC-LATE-2",
            "TrangThaiHoSo": 4,
            "NgayTiepNhan": _stamp(now - dt.timedelta(days=2)),
            "NgayHenTra": _stamp(now - dt.timedelta(hours=2)),
        },
        {
            **base,
            "MaHoSo": "IOC-DONE-1",
            "TrangThaiHoSo": 10,
            "NgayTiepNhan": _stamp(now - dt.timedelta(hours=30)),
            "NgayHenTra": _stamp(now + dt.timedelta(days=3)),
            "NgayKetThucXuLy": _stamp(now - dt.timedelta(hours=1)),
        },
    ]
    dossiers_import([json.dumps(item) for item in records])


def test_monitoring_user_follows_the_late_count_and_runs_a_what_if(
    live_server: Any, province_data: None, browser: Any
) -> None:
    _history()
    base = live_server.url
    page = browser.new_page(locale="vi-VN")
    _login(page, base, "ioc")
    page.goto(base + "/ioc/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ioc-dashboard.png"), full_page=True)
    late = page.locator("#open-late-link")
    assert late.inner_text() == "2"
    assert page.locator("svg.ioc-chart").count() >= 5
    late.click()
    page.wait_for_load_state()
    table = page.locator("#dossier-list").inner_text()
    assert "IOC-LATE-1" in table
    assert "IOC-LATE-2" in table
    assert "quá hạn" in table
    page.go_back()
    page.wait_for_load_state()
    # Live refresh: the page asks for fresh counts without reloading.
    page.evaluate("window.iocRefresh()")
    page.wait_for_selector(".ioc[data-refreshed]")
    page.locator("#what-if").click()
    page.wait_for_load_state()
    assert "IOC-LATE-1" in page.content()
    assert page.locator("#what-if-total").is_visible()
    page.screenshot(path=str(SHOTS / "ioc-what-if.png"), full_page=True)
