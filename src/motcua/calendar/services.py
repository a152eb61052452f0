"""Writes on the calendar: seeding the official days, proposing a new year, confirming proposals.

Only the statute list and the Government's overrides (``sources.official_days``) are written confirmed; a
day that only the ``holidays`` package knows (``sources.library_proposals``) is written as a proposal, and
moves no deadline until an administrator confirms it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from motcua.calendar.models import CalendarException, Scope, WorkingWeek
from motcua.calendar.sources import DayEntry, library_proposals, official_data, official_days, proposed_days

if TYPE_CHECKING:
    from motcua.accounts.models import User


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
    wanted = list(years)
    planned = [(entry, True) for entry in official_days(wanted)]
    planned += [(entry, False) for entry in library_proposals(wanted)]
    for entry, confirmed in planned:
        changed += _seed_row(entry, confirmed=confirmed)
    _calendar_changed()
    return changed


_LIBRARY_NOTE = (
    "Ngày có trong gói holidays nhưng không có trong danh mục ngày nghỉ theo luật "
    "(Điều 112 Bộ luật Lao động). Chỉ xác nhận khi có văn bản chính thức."
)


def _seed_row(entry: DayEntry, *, confirmed: bool) -> int:
    """Create or align the national row of ``entry``; 1 if written. Rows an administrator confirmed by hand
    are theirs and never touched."""
    note = entry.note or ("" if confirmed else _LIBRARY_NOTE)
    row = CalendarException.objects.filter(date=entry.date, scope=Scope.NATIONAL, agency=None).first()
    if row is None:
        CalendarException.objects.create(
            date=entry.date,
            kind=entry.kind,
            name=entry.name,
            scope=Scope.NATIONAL,
            source_document=entry.source,
            confirmed=confirmed,
            note=note,
        )
        return 1
    if row.confirmed_by_id is not None:
        return 0
    if not confirmed and not row.confirmed:
        # An open proposal (from here or `calendar propose`) is left as the administrator may be editing it.
        return 0
    wanted = (entry.kind, entry.name, entry.source, confirmed)
    if (row.kind, row.name, row.source_document, row.confirmed) == wanted:
        return 0
    # A seeded row follows the data file; one seeded as confirmed that is now only a proposal (24/11/2026
    # before the statute list) goes back to unconfirmed, so it stops moving deadlines.
    row.kind, row.name, row.source_document, row.confirmed = wanted
    if note:
        row.note = note
    row.save()
    return 1


@transaction.atomic
def calendar_propose_year(*, year: int) -> list[CalendarException]:
    """Store unconfirmed proposals for ``year``; confirmed rows are never touched."""
    created = []
    for entry in proposed_days(year) + library_proposals([year]):
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
                note=entry.note
                or (
                    "Đề xuất tự động (âm lịch theo vnlunar, UTC+7). "
                    "Kiểm tra với thông báo chính thức trước khi xác nhận."
                ),
            )
        )
    _calendar_changed()
    return created


def calendar_exception_confirm(
    *, exception: CalendarException, user: User, source_document: str = ""
) -> None:
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
