"""Writes on the calendar: seeding the official days, proposing a new year, confirming proposals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from motcua.calendar.models import CalendarException, Scope, WorkingWeek
from motcua.calendar.sources import official_data, official_days, proposed_days


@transaction.atomic
def calendar_seed(*, years: Iterable[int]) -> int:
    """Write the national working week and every official day of ``years``; idempotent.

    Returns the number of rows created or changed (0 on a second run)."""
    data = official_data()
    week = data["working_week"]
    changed = 0
    _, created = WorkingWeek.objects.get_or_create(
        scope=Scope.NATIONAL,
        agency=None,
        valid_from=dt.date.fromisoformat(week["valid_from"]),
        defaults={
            "working_weekdays": ",".join(str(d) for d in week["working_weekdays"]),
            "source_document": week["source"],
        },
    )
    changed += int(created)
    for entry in official_days(years):
        row = CalendarException.objects.filter(date=entry.date, scope=Scope.NATIONAL, agency=None).first()
        if row is None:
            CalendarException.objects.create(
                date=entry.date,
                kind=entry.kind,
                name=entry.name,
                scope=Scope.NATIONAL,
                source_document=entry.source,
                confirmed=True,
            )
            changed += 1
        elif (row.kind, row.name, row.source_document) != (entry.kind, entry.name, entry.source) and (
            row.confirmed_by_id is None
        ):
            # Rows an administrator confirmed by hand are theirs; seeded rows follow the data file.
            row.kind, row.name, row.source_document, row.confirmed = (
                entry.kind,
                entry.name,
                entry.source,
                True,
            )
            row.save()
            changed += 1
    _calendar_changed()
    return changed


@transaction.atomic
def calendar_propose_year(*, year: int) -> list[CalendarException]:
    """Store unconfirmed proposals for ``year``; confirmed rows are never touched."""
    created = []
    for entry in proposed_days(year):
        if CalendarException.objects.filter(date=entry.date, scope=Scope.NATIONAL, agency=None).exists():
            continue
        created.append(
            CalendarException.objects.create(
                date=entry.date,
                kind=entry.kind,
                name=entry.name,
                scope=Scope.NATIONAL,
                source_document=entry.source,
                confirmed=False,
                note=(
                    "Đề xuất tự động (âm lịch theo vnlunar, UTC+7). "
                    "Kiểm tra với thông báo chính thức trước khi xác nhận."
                ),
            )
        )
    _calendar_changed()
    return created


def calendar_exception_confirm(*, exception: CalendarException, user: Any, source_document: str = "") -> None:
    exception.confirmed = True
    exception.confirmed_by = user
    if source_document:
        exception.source_document = source_document
    exception.save(update_fields=["confirmed", "confirmed_by", "source_document"])
    _calendar_changed()


def _calendar_changed() -> None:
    from motcua.calendar.selectors import work_calendar_invalidate

    transaction.on_commit(work_calendar_invalidate)
    work_calendar_invalidate()
