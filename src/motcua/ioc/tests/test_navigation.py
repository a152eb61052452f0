"""Who finds the operations centre (walk, session 6): the IOC viewer landed on an empty work desk whose
links led to pages it may not open (404), and no menu entry led to the IOC at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

IOC_LINK = 'href="/ioc/"'


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_ioc_viewer_lands_on_the_operations_centre(ioc_viewer: Any) -> None:
    response = Client().post("/accounts/login/", {"username": "ioc", "password": "motcua-test-pass"})
    assert response.status_code == 302
    assert response["Location"] == "/ioc/"


def test_the_ioc_viewer_is_sent_from_the_empty_desk_to_the_operations_centre(ioc_viewer: Any) -> None:
    response = _logged_in(ioc_viewer).get("/mot-cua/")
    assert response.status_code == 302
    assert response["Location"] == "/ioc/"


def test_the_menu_leads_monitors_and_leaders_to_the_operations_centre(
    ioc_viewer: Any, leader_dung: Any, clerk_binh: Any
) -> None:
    ioc_page = _logged_in(ioc_viewer).get("/ioc/").content.decode()
    assert IOC_LINK in ioc_page
    assert 'href="/mot-cua/"' not in ioc_page  # no desk for a role without desk work
    assert IOC_LINK in _logged_in(leader_dung).get("/mot-cua/").content.decode()
    assert IOC_LINK not in _logged_in(clerk_binh).get("/mot-cua/").content.decode()


def test_desk_links_follow_the_roles(clerk_binh: Any, specialist_chi: Any, admin_giang: Any) -> None:
    clerk_desk = _logged_in(clerk_binh).get("/mot-cua/").content.decode()
    assert 'href="/mot-cua/so-hoa/ban-sao/"' in clerk_desk  # certifying a paper result is the clerk's
    assert 'href="/mot-cua/dvcqg/doi-soat/"' not in clerk_desk
    specialist_desk = _logged_in(specialist_chi).get("/mot-cua/").content.decode()
    assert 'href="/mot-cua/so-hoa/ban-sao/"' not in specialist_desk
    admin_desk = _logged_in(admin_giang).get("/mot-cua/").content.decode()
    assert 'href="/mot-cua/dvcqg/doi-soat/"' in admin_desk
    assert 'href="/lgsp/"' in admin_desk


def test_a_long_chart_label_is_cut_visibly_and_kept_whole_for_hover() -> None:
    from motcua.ioc.charts import bar_chart

    svg = bar_chart("Theo cấp", [("Provincial department or centre", 6)])
    assert "Provincial department or ce…" in svg  # was silently cut to "…or cen" (walk, session 6)
    assert "<title>Provincial department or centre</title>" in svg
