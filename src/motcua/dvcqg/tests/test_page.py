"""The operator's reconciliation page: administrators only, each difference with a re-sync (POST)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from motcua.dvcqg.tests.conftest import RunningPortal
from motcua.testing.journeys import bulletin_submitted

PAGE = "/mot-cua/dvcqg/doi-soat/"


def test_administrators_see_the_differences_and_resync_clears_them(
    client: Any, national_portal: RunningPortal, bulletin_version, citizen_an, admin_giang
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    client.force_login(admin_giang)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert f'data-code="{dossier.code}"' in page.content.decode()
    resync = reverse("dvcqg:resync", args=[dossier.code])
    response = client.post(resync)
    assert response.status_code == 302
    assert national_portal.portal.dossiers[dossier.code]["TrangThaiHoSo"] == 1
    page = client.get(PAGE).content.decode()
    assert f'data-code="{dossier.code}"' not in page
    assert "1 khớp" in page


def test_other_staff_and_citizens_do_not_see_the_page(
    client: Any, national_portal: RunningPortal, bulletin_version, citizen_an, clerk_binh
) -> None:
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    for user in (clerk_binh, citizen_an):
        client.force_login(user)
        assert client.get(PAGE).status_code == 404
        assert client.post(reverse("dvcqg:resync", args=[dossier.code])).status_code == 404
    assert dossier.code not in national_portal.portal.dossiers


def test_resync_needs_csrf(national_portal: RunningPortal, bulletin_version, citizen_an, admin_giang) -> None:
    from django.test import Client

    dossier = bulletin_submitted(bulletin_version, citizen_an)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_giang)
    assert strict.post(reverse("dvcqg:resync", args=[dossier.code])).status_code == 403
    assert dossier.code not in national_portal.portal.dossiers
