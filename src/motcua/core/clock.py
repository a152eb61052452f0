"""The one place that reads the current time, so tests can freeze it (time-machine) and code stays honest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    return timezone.now()


def local_now() -> dt.datetime:
    return now().astimezone(VIETNAM_TZ)


def local_today() -> dt.date:
    return local_now().date()
