"""Reads of the catalogue. The published catalogue is public; drafts are for catalogue editors only."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.search import ranked, search_words
from motcua.core import clock
from motcua.core.errors import NotFoundError


def procedure_version_search(
    *,
    query: str = "",
    field_code: str | None = None,
    level: str | None = None,
    on: dt.date | None = None,
) -> QuerySet[ProcedureVersion]:
    """Published versions in force on ``on`` (today by default) matching every word of ``query``, the most
    relevant first (``catalog.search.Rank``: the exact name, the phrase in the name, the words in the
    name in order, anywhere in the name, then in other fields; ties alphabetical).

    Words are folded, so "dang ky khai sinh" and "Đăng ký khai sinh" find the same procedures; the query
    is capped (``search.MAX_QUERY_LENGTH`` characters, ``search.MAX_QUERY_WORDS`` words).
    """
    day = on or clock.local_today()
    qs = ProcedureVersion.objects.effective_on(day).select_related("procedure", "field", "competent_agency")
    words = search_words(query)
    for word in dict.fromkeys(words):
        qs = qs.filter(search_text__contains=word)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if level:
        qs = qs.filter(level=level)
    return ranked(qs, words)


def procedure_version_get_current(*, local_code: str, on: dt.date | None = None) -> ProcedureVersion:
    """The published version of a procedure in force on ``on``; NotFoundError when there is none."""
    day = on or clock.local_today()
    version = (
        ProcedureVersion.objects.effective_on(day)
        .select_related("procedure", "field", "competent_agency")
        .prefetch_related("components", "fees", "legal_bases", "steps__agency", "receiving_agencies")
        .filter(procedure__local_code=local_code)
        .order_by("-effective_from")
        .first()
    )
    if version is None:
        raise NotFoundError(
            _("Không tìm thấy thủ tục đang có hiệu lực."),
            {"local_code": local_code},
        )
    return version


_submission_cache: dict[tuple[str, dt.date], tuple[float, ProcedureVersion]] = {}


def procedure_version_for_submission(*, local_code: str, on: dt.date | None = None) -> ProcedureVersion:
    """The version in force, with just what a submission needs (components and fees prefetched).

    Submissions are the busiest write; the version they need changes only when the catalogue is
    republished, so it is kept for 30 seconds per process (a new version takes effect on a date set in
    advance, and a dossier pins the version it was received under anyway)."""
    day = on or clock.local_today()
    key = (local_code, day)
    hit = _submission_cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < settings.MOTCUA_CATALOGUE_CACHE_SECONDS:
        return hit[1]
    version = (
        ProcedureVersion.objects.effective_on(day)
        .select_related("procedure", "competent_agency")
        .defer("search_text", "sequence", "subjects", "requirements", "description")
        .prefetch_related("components", "fees", "receiving_agencies")
        .filter(procedure__local_code=local_code)
        .order_by("-effective_from")
        .first()
    )
    if version is None:
        raise NotFoundError(
            _("Không tìm thấy thủ tục đang có hiệu lực."),
            {"local_code": local_code},
        )
    if len(_submission_cache) > 5000:
        _submission_cache.clear()
    _submission_cache[key] = (now, version)
    return version
