"""Reads of the identity app: a citizen's own processing log and consents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from motcua.core import clock
from motcua.identity.models import Consent, ConsentPurpose, PersonalDataAccess

if TYPE_CHECKING:
    from motcua.accounts.models import User


def accesses_for_subject(*, user: User) -> QuerySet[PersonalDataAccess]:
    """Every recorded processing of the user's personal data (by their ID number), newest first."""
    return PersonalDataAccess.objects.filter(subject_id_number=user.national_id or "-").order_by("-at", "-pk")


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
