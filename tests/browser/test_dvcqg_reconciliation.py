"""The administrator's reconciliation page with the national portal in a real browser: after an outage
of the portal (simulator), the differences are listed and one click re-syncs each dossier."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.test_dossier_journey import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outage_differences_listed_and_cleared_by_one_click(
    live_server: Any, province_data: None, browser: Any, tmp_path: Any, settings: Any
) -> None:
    from motcua.accounts.models import User
    from motcua.catalog.demo import DEMO_FILE
    from motcua.dossiers import demo as dossier_demo
    from motcua.dvcqg.services import outbox_drain
    from motcua.dvcqg.tests.conftest import RunningPortal
    from motcua.simulators.dvcqg import NationalPortal, national_records

    running = RunningPortal(NationalPortal(procedures=national_records(json.loads(DEMO_FILE.read_bytes()))))
    settings.MOTCUA_DVCQG_URL = running.url
    try:
        from motcua.dossiers import services

        citizen = User.objects.get(username="an")
        dossier = dossier_demo._submit(dossier_demo.BULLETIN, citizen, "Bản tin đối soát")
        outbox_drain()
        running.stop()  # the outage: the receipt cannot be sent
        services.dossier_receive(dossier=dossier, clerk=User.objects.get(username="binh"))
        assert outbox_drain().failed == 1
        running.start()

        admin = Person(browser, live_server.url, "admin", tmp_path)
        page = admin.go("/mot-cua/dvcqg/doi-soat/")
        row = page.locator(f"tr[data-code='{dossier.code}']")
        assert row.count() == 1, page.content()
        assert "TrangThaiHoSo" in row.inner_text()
        assert "Khác" in row.inner_text()
        row.get_by_role("button", name="Đồng bộ lại").click()
        page.wait_for_load_state()
        assert f"Đã đồng bộ lại hồ sơ {dossier.code}" in page.content()
        assert page.locator(f"tr[data-code='{dossier.code}']").count() == 0
        assert running.portal.dossiers[dossier.code]["TrangThaiHoSo"] == 4
        assert not admin.errors, admin.errors
    finally:
        running.stop()
