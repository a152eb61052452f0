"""No dead links on the procedure pages, for any demo persona (walk.md step 13: "Tiếp nhận tại quầy" was
shown to the leader on all procedure pages and led to a 404). Each persona opens every procedure page in
force, then follows every link found there once; each must answer 200 or a redirect."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from motcua.accounts.demo import load_demo_users
from motcua.accounts.models import User
from motcua.agencies.demo import load_demo_agencies
from motcua.catalog.demo import load_demo_catalogue
from motcua.catalog.selectors import procedure_version_search

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
# Anonymous, a citizen, a business, both kinds of clerk, and each other staff role once.
PERSONAS = [None, "an", "congty.abc", "binh", "tiepnhan.minhkhai", "chi", "dung", "em", "ioc", "admin"]
_HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"')


@pytest.fixture
def demo() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        load_demo_agencies()
        load_demo_catalogue()
        load_demo_users()
        yield


def test_no_persona_meets_a_dead_link_on_the_procedure_pages(demo: None) -> None:
    pages = [f"/thu-tuc/{v.procedure.local_code}/" for v in procedure_version_search()]
    assert len(pages) > 20
    dead: dict[str, dict[str, int]] = {}
    offered_counter_intake = set()
    for username in PERSONAS:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        links: set[str] = set()
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (username, url)
            links.update(_HREF.findall(response.content.decode()))
        links = {link.replace("&amp;", "&") for link in links if not link.startswith(("mailto:", "tel:"))}
        assert len(links) > 10, username
        for link in sorted(links):
            status = client.get(link).status_code
            if status not in (200, 302):
                dead.setdefault(str(username), {})[link] = status
        if any(link.startswith("/mot-cua/tiep-nhan/") for link in links):
            offered_counter_intake.add(username)
    assert dead == {}
    assert offered_counter_intake == {"binh", "tiepnhan.minhkhai"}
