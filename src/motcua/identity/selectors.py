"""Reads of the identity app: a citizen's own processing log and consents."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from motcua.core import clock
from motcua.identity.access_labels import AccessLabel, access_label, form_public_ids
from motcua.identity.models import AccessorKind, Consent, ConsentPurpose, PersonalDataAccess

if TYPE_CHECKING:
    from motcua.accounts.models import User


# "Who" on the page: the accessor kinds, and the citizen's own processing (their pre-fill look-ups).
WHO_SELF = "self"
_MONTH = re.compile(r"^(?P<year>20\d\d)-(?P<month>0[1-9]|1[0-2])$")


def access_who_choices() -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    return [*((value, str(label)) for value, label in AccessorKind.choices), (WHO_SELF, _("Chính bạn"))]


def access_month_parse(value: str) -> dt.date | None:
    """ "2026-11" -> the first of that month; anything else (a bad query string) -> None, "every month"."""
    match = _MONTH.match(value.strip())
    return dt.date(int(match["year"]), int(match["month"]), 1) if match else None


def accesses_for_subject(
    *, user: User, who: str = "", month: dt.date | None = None
) -> QuerySet[PersonalDataAccess]:
    """Every recorded processing of the user's personal data (by their ID number), newest first; ``who``
    (an accessor kind, or ``WHO_SELF``) and ``month`` (local time) narrow it, anything unknown is ignored.
    Served by the index (subject_id_number, -at): the count and each page read only this citizen's rows."""
    rows = PersonalDataAccess.objects.filter(subject_id_number=user.national_id or "-")
    if who in AccessorKind.values:
        rows = rows.filter(accessor_kind=who)
    elif who == WHO_SELF:
        rows = rows.filter(user_id=user.pk)
    if month is not None:
        start = dt.datetime(month.year, month.month, 1, tzinfo=clock.VIETNAM_TZ)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        rows = rows.filter(at__gte=start, at__lt=end)
    return rows.order_by("-at", "-pk")


def access_months(*, user: User) -> list[dt.date]:
    """The months (local time) in which the user's data was processed, newest first: the month filter."""
    return [
        moment.date()
        for moment in PersonalDataAccess.objects.filter(subject_id_number=user.national_id or "-").datetimes(
            "at", "month", order="DESC", tzinfo=clock.VIETNAM_TZ
        )
    ]


@dataclass(frozen=True)
class LabelledAccess:
    """A row of the record with its words for the citizen; ``own_dossier``: the dossier it names is the
    viewer's own, so the page links it."""

    row: PersonalDataAccess
    label: AccessLabel
    own_dossier: bool


def accesses_labelled(*, user: User, rows: Iterable[PersonalDataAccess]) -> list[LabelledAccess]:
    """The rows in the citizen's words: two queries whatever their number (the forms they name, the
    viewer's own dossiers among those they name)."""
    from motcua.dossiers.selectors import dossiers_for_applicant
    from motcua.signatures.models import IssuedDocument

    rows = list(rows)
    public_ids = form_public_ids(rows)
    form_names: dict[str, str] = {}
    if public_ids:
        from motcua.signatures.forms import FORMS

        for public_id, kind in IssuedDocument.objects.filter(
            public_id__in=[uuid.UUID(p) for p in public_ids]
        ).values_list("public_id", "kind"):
            spec = FORMS.get(kind)
            if spec is not None:
                form_names[str(public_id)] = spec.short
    labels = [access_label(row, viewer_id=user.pk, form_names=form_names) for row in rows]
    codes = {label.dossier_code for label in labels if label.dossier_code}
    own = (
        set(dossiers_for_applicant(user=user).filter(code__in=codes).values_list("code", flat=True))
        if codes
        else set()
    )
    return [
        LabelledAccess(row=row, label=label, own_dossier=label.dossier_code in own)
        for row, label in zip(rows, labels, strict=True)
    ]


def accesses_labelled_all(
    *, user: User, rows: QuerySet[PersonalDataAccess], chunk: int = 500
) -> Iterator[LabelledAccess]:
    """Every row, labelled a chunk at a time (the CSV export: memory bounded however long the record)."""
    batch: list[PersonalDataAccess] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from accesses_labelled(user=user, rows=batch)
            batch = []
    if batch:
        yield from accesses_labelled(user=user, rows=batch)


def purposes_in_force() -> list[ConsentPurpose]:
    today = clock.local_today()
    return [p for p in ConsentPurpose.objects.all() if p.in_force_on(today)]


def consents_standing(*, user: User) -> dict[int, Consent]:
    """Purpose id -> the user's consent that stands for it."""
    return {c.purpose_id: c for c in Consent.objects.filter(user=user, withdrawn_at__isnull=True)}


def consent_stands(*, user: User, purpose_code: str) -> bool:
    """Whether the purpose may run for this user now: purposes without consent rest on the law."""
    today = clock.local_today()
    purposes = [p for p in ConsentPurpose.objects.filter(code=purpose_code) if p.in_force_on(today)]
    if not purposes:
        return False
    if not purposes[0].needs_consent:
        return True
    return Consent.objects.filter(user=user, purpose=purposes[0], withdrawn_at__isnull=True).exists()
