"""Full-text search for staff over dossiers (code, applicant, summary, procedure) and the OCR text of
their digitised documents: accent-insensitive ("nguyen van an" finds "Nguyễn Văn An"), ranked (BM25 on
SQLite FTS5, ``ts_rank`` on PostgreSQL), with the matching words highlighted in a snippet of the original
text. Every search is scoped by ``dossiers.selectors.dossiers_for_officer``: a clerk finds only dossiers
they may open.

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
from motcua.dossiers.selectors import dossiers_for_officer

KIND_DOSSIER = "dossier"
KIND_DOCUMENT = "document"
_TOKEN = re.compile(r"[a-z0-9]+")
SNIPPET_CHARS = 160
# The indexed expression of migration 0003 (PostgreSQL), word for word.
PG_VECTOR = "to_tsvector('simple'::regconfig, regexp_replace(e.folded, '[^a-z0-9]+', ' ', 'g'))"


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
    if watermark is not None:
        changed = changed.filter(updated_at__gte=watermark)
    count = 0
    pending: list[Dossier] = []
    for dossier in changed.order_by("updated_at").iterator(chunk_size=batch):
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


def _ranked(
    tokens: list[str], scope_sql: str, scope_params: tuple[Any, ...], limit: int
) -> list[tuple[int, float]]:
    if connection.vendor == "postgresql":
        sql = (
            # scope_sql is the ORM's own SQL for the permission-checked queryset, with its parameters apart.
            f"SELECT e.id, ts_rank({PG_VECTOR}, q) AS score "  # noqa: S608
            "FROM digitization_searchentry e, to_tsquery('simple'::regconfig, unaccent(%s)) q "
            f"WHERE {PG_VECTOR} @@ q "
            f"AND e.dossier_id IN ({scope_sql}) ORDER BY score DESC, e.id DESC LIMIT %s"
        )
        params: tuple[Any, ...] = (" & ".join(tokens), *scope_params, limit)
    else:
        sql = (
            "SELECT e.id, bm25(digitization_fts) AS score FROM digitization_fts "  # noqa: S608
            "JOIN digitization_searchentry e ON e.id = digitization_fts.rowid "
            "WHERE digitization_fts MATCH %s "
            f"AND e.dossier_id IN ({scope_sql}) ORDER BY score, e.id DESC LIMIT %s"
        )
        params = (" ".join(f'"{t}"' for t in tokens), *scope_params, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [(int(i), float(s)) for i, s in rows]
    return [(int(i), -float(s)) for i, s in rows]  # BM25: lower is better


def search_dossiers(*, user: User, query: str, limit: int = 20, refresh: bool = True) -> list[Hit]:
    """The dossiers ``user`` may read that match every word of ``query``, best first, one hit per dossier
    (its best-matching text)."""
    tokens = query_tokens(query)
    if not tokens:
        return []
    if refresh:
        search_index_refresh()
    scope = dossiers_for_officer(user=user).order_by().values("pk")
    scope_sql, scope_params = scope.query.sql_with_params()
    ranked = _ranked(tokens, scope_sql, tuple(scope_params), limit * 3)
    entries = SearchEntry.objects.in_bulk([i for i, _ in ranked])
    dossiers = Dossier.objects.in_bulk({e.dossier_id for e in entries.values()})
    hits: list[Hit] = []
    seen: set[int] = set()
    for entry_id, score in ranked:
        entry = entries.get(entry_id)
        if entry is None or entry.dossier_id in seen:
            continue
        seen.add(entry.dossier_id)
        hits.append(
            Hit(
                dossier=dossiers[entry.dossier_id],
                kind=entry.kind,
                title=entry.title,
                snippet=snippet(entry.body, entry.folded, tokens),
                score=score,
            )
        )
        if len(hits) >= limit:
            break
    return hits
