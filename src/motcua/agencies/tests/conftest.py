from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

# A Monday in 2026, after the two-tier reform; every test of this app runs at this instant.
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
