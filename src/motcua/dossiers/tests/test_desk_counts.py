"""The desk's tabs say how much each box holds, and the desk opens where the work is (review walk step 6:
it opened on "Của đơn vị" while the new online dossier waited, uncounted, under "Chờ tiếp nhận")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.tests.test_law_rules import _submit

pytestmark = pytest.mark.django_db


def _tab_count(page: str, label: str) -> int:
    found = re.search(re.escape(label) + r'\s*<span class="count">\((\d+)\)</span>', page)
    assert found, f"no count on the tab {label}"
    return int(found.group(1))


def test_the_desk_counts_each_box_and_opens_on_what_waits_for_intake(
    citizen_an: Any, clerk_binh: Any, bulletin_version: Any, frozen: Any
) -> None:
    first = _submit(bulletin_version, citizen_an)
    _submit(bulletin_version, citizen_an)
    client = Client()
    client.force_login(clerk_binh)
    page = client.get("/mot-cua/").content.decode()
    assert _tab_count(page, "Chờ tiếp nhận") == 2
    assert 'href="?box=intake" aria-current="page"' in page
    assert first.code in page

    services.dossier_receive(dossier=first, clerk=clerk_binh)
    page = client.get("/mot-cua/").content.decode()
    assert _tab_count(page, "Chờ tiếp nhận") == 1


def test_with_nothing_to_receive_the_desk_opens_on_the_unit(clerk_binh: Any, frozen: Any) -> None:
    client = Client()
    client.force_login(clerk_binh)
    page = client.get("/mot-cua/").content.decode()
    assert _tab_count(page, "Chờ tiếp nhận") == 0
    assert 'href="?box=unit" aria-current="page"' in page
