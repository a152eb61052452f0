"""Fixtures shared by the browser tests: the demo province, and Debian's Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_dossier_journey import CHROMIUM


@pytest.fixture
def province_data() -> None:
    from motcua.accounts.demo import load_demo_users
    from motcua.agencies.demo import load_demo_agencies
    from motcua.calendar.services import calendar_seed
    from motcua.catalog.demo import load_demo_catalogue
    from motcua.dossiers.reference import rating_criteria_seed, status_mapping_seed
    from motcua.identity.reference import identity_reference_seed

    load_demo_agencies()
    calendar_seed(years=range(2024, 2028))
    load_demo_catalogue()
    load_demo_users()
    rating_criteria_seed()
    status_mapping_seed()
    identity_reference_seed()  # a flushed database has lost what migrations seeded


@pytest.fixture
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield b
        b.close()
