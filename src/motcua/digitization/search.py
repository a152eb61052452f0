"""Full-text search for staff over dossiers (code, applicant, summary, procedure) and the OCR text of
their digitised documents: accent-insensitive ("nguyen van an" finds "Nguyễn Văn An"), ranked (BM25 on
SQLite FTS5, ``ts_rank`` on PostgreSQL), with the matching words highlighted in a snippet of the original
text. Every search is scoped by ``dossiers.selectors.dossiers_for_officer``: a clerk finds only dossiers
they may open. For speed the index rows carry the agencies that scope them (kept by database triggers,
migration 0005), so the full-text index filters on the user's agencies itself; the hits are then checked
against the selector, so a row whose scope were ever stale could hide a dossier but never show one.

The index (``SearchEntry``) holds accent-free text aligned character for character with the original,
so a match found in the folded text is highlighted at the same place in the accented one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from motcua.accounts.models import User
from motcua.core import clock
from motcua.digitization.models import DigitizationJob, SearchEntry
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_for_officer, officer_agency_ids

KIND_DOSSIER = "dossier"
KIND_DOCUMENT = "document"
_TOKEN = re.compile(r"[a-z0-9]+")
SNIPPET_CHARS = 160
# A search ranks the newest this many matching rows in scope: more matches than this only come from
# words found in most documents, where a complete ranking would cost seconds and tell nothing more.
CANDIDATES = 1000


def fold_aligned(text: str) -> str:
    """``text`` (NFC) lower-cased without tone and vowel marks, đ → d, one character for one character."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", ch)[0].lower()
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def query_tokens(query: str) -> list[str]:
    return _TOKEN.findall(fold_aligned(_nfc(query)))[:12]


def _dossier_body(dossier: Dossier) -> str:
    procedure = getattr(getattr(dossier.procedure_version, "procedure", None), "name", "")
    parts = [
        dossier.code or "",
        dossier.applicant_name,
        dossier.applicant_id_number,
        dossier.submitter_name,
        dossier.summary,
        procedure,
        dossier.result_number,
    ]
    return _nfc("\n".join(p for p in parts if p))


def search_index_dossier(*, dossier: Dossier) -> None:
    body = _dossier_body(dossier)
    SearchEntry.objects.update_or_create(
        dossier=dossier,
        kind=KIND_DOSSIER,
        defaults={
            "title": dossier.code or "",
            "body": body,
            "folded": fold_aligned(body),
            "indexed_at": dossier.updated_at,
        },
    )


def search_index_refresh(*, batch: int = 500) -> int:
    """Index the dossiers changed since the newest indexed version (the scheduler runs it; searches run it
    first, so a dossier is found as soon as it is saved). Returns how many were indexed."""
    watermark = SearchEntry.objects.filter(kind=KIND_DOSSIER).aggregate(m=Max("indexed_at"))["m"]
    changed = Dossier.objects.exclude(code=None).select_related("procedure_version__procedure")
    current: dict[int, str] = {}
    if watermark is not None:
        # At or after the watermark: dossiers saved in the same instant as the newest indexed one may not
        # be indexed yet. Those at the watermark whose row already holds the same text are skipped, so a
        # refresh with nothing changed writes nothing (it rewrote a row before every search).
        changed = changed.filter(updated_at__gte=watermark)
        at_watermark = SearchEntry.objects.filter(kind=KIND_DOSSIER, indexed_at=watermark)
        current = dict(at_watermark.values_list("dossier_id", "body"))
    count = 0
    pending: list[Dossier] = []
    for dossier in changed.order_by("updated_at").iterator(chunk_size=batch):
        if dossier.updated_at == watermark and current.get(dossier.pk) == _dossier_body(dossier):
            continue
        pending.append(dossier)
        if len(pending) == batch:
            count += _index_batch(pending)
            pending = []
    return count + _index_batch(pending)


def _index_batch(dossiers: list[Dossier]) -> int:
    """One transaction per batch (one per dossier made a first indexing of 10,000 dossiers take minutes)."""
    with transaction.atomic():
        for dossier in dossiers:
            search_index_dossier(dossier=dossier)
    return len(dossiers)


def search_index_job(*, job_id: int) -> None:
    """Index the OCR text of a finished job that belongs to a dossier."""
    job = DigitizationJob.objects.get(pk=job_id)
    if job.dossier_id is None:
        return
    body = _nfc(job.text)
    SearchEntry.objects.update_or_create(
        job=job,
        defaults={
            "dossier_id": job.dossier_id,
            "kind": KIND_DOCUMENT,
            "title": job.title,
            "body": body,
            "folded": fold_aligned(body),
            "indexed_at": clock.now(),
        },
    )


@dataclass(frozen=True)
class Hit:
    dossier: Dossier
    kind: str
    title: str
    snippet: SafeString
    score: float


def snippet(body: str, folded: str, tokens: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of ``body`` around the first match, every token's occurrences marked (escaped HTML)."""
    spans: list[tuple[int, int]] = []
    for token in tokens:
        spans += [(m.start(), m.end()) for m in re.finditer(rf"(?<![a-z0-9]){re.escape(token)}", folded)]
    spans.sort()
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    end = min(len(body), start + width)
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        parts += [str(escape(body[cursor:s])), f"<mark>{escape(body[s:e])}</mark>"]
        cursor = e
    parts.append(str(escape(body[cursor:end])))
    if end < len(body):
        parts.append("…")
    return mark_safe(" ".join("".join(parts).split()))


_TSQUERY_SAFE = re.compile(r"[a-z0-9@'&|() ]+")


def _tsquery(text: str) -> str:
    """``text`` as a tsquery SQL literal; it is built from query tokens ([a-z0-9]+) and agency ids only."""
    if not _TSQUERY_SAFE.fullmatch(text):
        raise ValueError(text)
    return "'" + text.replace("'", "''") + "'::tsquery"


def _ranked(tokens: list[str], agency_ids: set[int], limit: int) -> list[tuple[int, int, float]]:
    """The ids, dossier ids and scores of the best ``limit`` rows that hold every token and one of
    ``agency_ids`` in their scope, ranked over the newest ``CANDIDATES`` such rows.

    Both databases answer from the full-text index alone: the scope is part of the indexed row (its
    ``@<agency id>`` lexemes on PostgreSQL, its ``scope_agencies`` column of the FTS5 table on SQLite), so
    there is no join to the dossiers per match, and the score is computed only for the candidates (ranking
    every match of two common words made a search take seconds over 100,000 documents)."""
    scope = sorted(agency_ids)
    if connection.vendor == "postgresql":
        # Tokens are [a-z0-9]+ and ids are integers: quoting them makes valid tsquery lexemes as they are.
        words = " & ".join(f"'{t}'" for t in tokens)
        agencies = " | ".join(f"'@{a}'" for a in scope)
        # The queries go in as literals, not parameters: a statement prepared server-side (psycopg prepares
        # after two runs) gets a generic plan after five, and no single plan suits both "every document
        # holds these words" (walk the newest rows until enough match) and "a few do" (the GIN index);
        # the wrong one cost a common-word search 100+ ms instead of 15.
        ranking, matching = _tsquery(words), _tsquery(f"({words}) & ({agencies})")
        sql = (
            f"SELECT id, dossier_id, ts_rank(search_vector, {ranking}) AS score FROM ("  # noqa: S608
            "SELECT e.id, e.dossier_id, e.search_vector FROM digitization_searchentry e "
            f"WHERE e.search_vector @@ {matching} ORDER BY e.id DESC LIMIT %s) c "
            "ORDER BY score DESC, id DESC LIMIT %s"
        )
        params: tuple[Any, ...] = (CANDIDATES, limit)
    else:
        match = "folded : ({}) AND scope_agencies : ({})".format(
            " AND ".join(f'"{t}"' for t in tokens), " OR ".join(f'"{a}"' for a in scope)
        )
        sql = (
            # bm25 weighs the scope column 0: the ranking is the words' alone, as before the scope moved in.
            "SELECT c.id, e.dossier_id, c.score FROM (SELECT rowid AS id, bm25(digitization_fts, 1.0, 0.0) "
            "AS score FROM digitization_fts WHERE digitization_fts MATCH %s ORDER BY rowid DESC LIMIT %s) c "
            "JOIN digitization_searchentry e ON e.id = c.id ORDER BY c.score, c.id DESC LIMIT %s"
        )
        params = (match, CANDIDATES, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    sign = 1.0 if connection.vendor == "postgresql" else -1.0  # BM25: lower is better
    return [(int(i), int(d), sign * float(s)) for i, d, s in rows]


def search_dossiers(*, user: User, query: str, limit: int = 20, refresh: bool = True) -> list[Hit]:
    """The dossiers ``user`` may read that match every word of ``query``, best first, one hit per dossier
    (its best-matching text)."""
    tokens = query_tokens(query)
    if not tokens:
        return []
    if refresh:
        search_index_refresh()
    agency_ids = officer_agency_ids(user=user)
    if not agency_ids:
        return []
    ranked = _ranked(tokens, agency_ids, limit * 3)
    # The hits go through the permission-checked selector all the same: the rows' scope only narrows
    # the search, the selector decides what is shown.
    dossiers = dossiers_for_officer(user=user).in_bulk({d for _, d, _ in ranked})
    best: dict[int, tuple[int, float]] = {}  # dossier → its best entry and score, best dossier first
    for entry_id, dossier_id, score in ranked:
        if dossier_id in dossiers and dossier_id not in best:
            best[dossier_id] = (entry_id, score)
            if len(best) >= limit:
                break
    # Only the shown entries' texts are read (each a few kilobytes of OCR text).
    entries = SearchEntry.objects.in_bulk([e for e, _ in best.values()])
    hits: list[Hit] = []
    for dossier_id, (entry_id, score) in best.items():
        entry = entries.get(entry_id)
        if entry is None:  # deleted since the ranking
            continue
        hits.append(
            Hit(
                dossier=dossiers[dossier_id],
                kind=entry.kind,
                title=entry.title,
                snippet=snippet(entry.body, entry.folded, tokens),
                score=score,
            )
        )
    return hits
