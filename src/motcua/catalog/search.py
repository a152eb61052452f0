"""Search text for procedure versions: folded (no diacritics), so queries with or without marks match.

The stored text is ``<folded name> TITLE_END <folded other fields>``. The separator lets the database rank
a version by where the words were found (the name first) without a second column: see ``search_rank``.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Left, StrIndex

from motcua.catalog.models import ProcedureVersion
from motcua.core.text import fold_vietnamese

# ASCII "unit separator": folding keeps it, a typed query cannot contain it (str.split() drops it).
TITLE_END = "\x1f"
# A citizen types a few words; a query of hundreds of words is either a mistake or an attack on the
# database (1,000 words once made SQLite fail with "Expression tree is too large"). Longer queries are
# truncated here, so every caller (page, API) gets the same bound.
MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 12


class Rank:
    """Relevance tiers, best first; ties are broken alphabetically by the folded name."""

    EXACT_NAME = 0
    PHRASE_IN_NAME = 1
    WORDS_IN_NAME_IN_ORDER = 2
    WORDS_IN_NAME = 3
    ELSEWHERE = 4


def version_search_text(version: ProcedureVersion) -> str:
    others = [
        version.name_en,
        version.procedure.local_code,
        version.procedure.national_code,
        version.field.name,
        version.result_name,
        version.competent_agency.name,
    ]
    return search_text_from(version.name, others)


def search_text_from(name: str, others: list[str]) -> str:
    """The stored search text from plain values (also used by the migration that rebuilds it)."""
    rest = fold_vietnamese(" ".join(p for p in others if p))
    return f"{fold_vietnamese(name)}{TITLE_END}{rest}"


def search_words(query: str) -> list[str]:
    """The folded words of ``query`` in the order typed (repeats kept: "bản tin" in "xuất bản bản tin"
    is part of the phrase), capped at MAX_QUERY_LENGTH characters and MAX_QUERY_WORDS words."""
    return fold_vietnamese(query[:MAX_QUERY_LENGTH]).split()[:MAX_QUERY_WORDS]


class _Like(Func):
    """``expression LIKE pattern ESCAPE '\\'``: one pattern with several wildcards (Django's lookups
    escape every wildcard, so "these words, in this order" cannot be said with them)."""

    arg_joiner = " LIKE "
    template = "(%(expressions)s ESCAPE '\\')"
    output_field = BooleanField()


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def ranked(qs: QuerySet[ProcedureVersion], words: list[str]) -> QuerySet[ProcedureVersion]:
    """``qs`` (already filtered on ``words``) ordered by relevance: ``Rank`` tier, then the folded name.

    The name is the stored text up to TITLE_END (all of it for a row written before the separator
    existed, which only makes such a row rank as if every field were part of the name)."""
    if not words:
        return qs.order_by("search_text", "pk")
    phrase = " ".join(words)
    in_order = "%" + "%".join(_escape_like(w) for w in words) + "%"
    all_in_name = Q()
    for word in words:
        all_in_name &= Q(search_name__contains=word)
    rank = Case(
        When(search_text__startswith=phrase + TITLE_END, then=Value(Rank.EXACT_NAME)),
        When(search_name__contains=phrase, then=Value(Rank.PHRASE_IN_NAME)),
        When(_Like(F("search_name"), Value(in_order)), then=Value(Rank.WORDS_IN_NAME_IN_ORDER)),
        When(all_in_name, then=Value(Rank.WORDS_IN_NAME)),
        default=Value(Rank.ELSEWHERE),
        output_field=IntegerField(),
    )
    name = Left(F("search_text"), StrIndex(Concat(F("search_text"), Value(TITLE_END)), Value(TITLE_END)) - 1)
    return qs.alias(search_name=name).alias(search_rank=rank).order_by("search_rank", "search_text", "pk")
