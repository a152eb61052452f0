"""Staff search filters on the row: ``SearchEntry.scope_agencies`` (the agencies that make the dossier
visible, the terms of ``dossiers_for_officer``) is kept by triggers on the search rows, the dossiers and
their tasks; on PostgreSQL a stored ``search_vector`` holds the words and the scope (``@<agency id>``
lexemes) under one GIN index, so a search is one index probe and ranks stored vectors instead of
re-parsing every match; on SQLite the FTS5 table gains the scope as a second column.

Measured before: p50 1.07 s, p99 3.7 s over 100,000 documents (docs/benchmarks.md, issue 16)."""

# ruff: noqa: S608 - every statement is constant SQL built from this module's own fragments, no input.

from __future__ import annotations

from typing import Any

from django.db import migrations, models

# The agencies of dossier {d}, ascending, space-separated ("" when none): one expression for both
# databases, so the triggers cannot disagree with each other.
_AGENCIES = (
    "(SELECT coalesce({agg}, '') FROM ("
    "SELECT receiving_agency_id AS a FROM dossiers_dossier WHERE id = {d} "
    "UNION SELECT helped_at_id FROM dossiers_dossier WHERE id = {d} "
    "UNION SELECT competent_agency_id FROM dossiers_dossier WHERE id = {d} "
    "UNION SELECT agency_id FROM dossiers_task WHERE dossier_id = {d} "
    "{order}) s WHERE a IS NOT NULL)"
)


def _sqlite_agencies(d: str) -> str:
    # SQLite's group_concat keeps the order of its (ordered) subquery.
    return _AGENCIES.format(agg="group_concat(a, ' ')", d=d, order="ORDER BY 1")


def _refresh_sqlite(where: str, d: str) -> str:
    agencies = _sqlite_agencies(d)
    return (
        f"UPDATE digitization_searchentry SET scope_agencies = {agencies} "
        f"WHERE {where} AND scope_agencies IS NOT {agencies};"
    )


SQLITE_FORWARD = [
    # The FTS table again, with the scope as a second column (weight 0 in bm25). One trigger per event on
    # the search rows, each step in an order that keeps FTS5's copy equal to the row: an external-content
    # FTS5 table is corrupted by a 'delete' of values it does not hold, and SQLite's order among several
    # triggers on one event is not something to rely on.
    "DROP TRIGGER IF EXISTS digitization_fts_au",
    "DROP TRIGGER IF EXISTS digitization_fts_ad",
    "DROP TRIGGER IF EXISTS digitization_fts_ai",
    "DROP TABLE IF EXISTS digitization_fts",
    "CREATE VIRTUAL TABLE digitization_fts USING fts5(folded, scope_agencies, "
    "content='digitization_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    # A new row is indexed as written, then its scope computed (SQLite cannot assign NEW): that UPDATE
    # fires digitization_fts_au, which re-indexes it.
    "CREATE TRIGGER digitization_fts_ai AFTER INSERT ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(rowid, folded, scope_agencies) "
    "VALUES (new.id, new.folded, new.scope_agencies); "
    + _refresh_sqlite("id = new.id", "new.dossier_id")
    + " END",
    "CREATE TRIGGER digitization_fts_ad AFTER DELETE ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(digitization_fts, rowid, folded, scope_agencies) "
    "VALUES ('delete', old.id, old.folded, old.scope_agencies); END",
    # An updated row (moved to another dossier, or written whole by the ORM) gets its scope recomputed
    # first — recursive triggers are off (SQLite's default), so this UPDATE does not fire the trigger
    # again — and is then re-indexed from the table.
    "CREATE TRIGGER digitization_fts_au AFTER UPDATE ON digitization_searchentry BEGIN "
    + _refresh_sqlite("id = new.id", "new.dossier_id")
    + " INSERT INTO digitization_fts(digitization_fts, rowid, folded, scope_agencies) "
    "VALUES ('delete', old.id, old.folded, old.scope_agencies); "
    "INSERT INTO digitization_fts(rowid, folded, scope_agencies) "
    "SELECT id, folded, scope_agencies FROM digitization_searchentry WHERE id = new.id; END",
    # Every row of a dossier whose agencies or tasks change (each UPDATE re-indexes through fts_au).
    "CREATE TRIGGER digitization_scope_dossier_au AFTER UPDATE OF receiving_agency_id, helped_at_id, "
    "competent_agency_id ON dossiers_dossier BEGIN "
    + _refresh_sqlite("dossier_id = new.id", "new.id")
    + " END",
    "CREATE TRIGGER digitization_scope_task_ai AFTER INSERT ON dossiers_task BEGIN "
    + _refresh_sqlite("dossier_id = new.dossier_id", "new.dossier_id")
    + " END",
    "CREATE TRIGGER digitization_scope_task_ad AFTER DELETE ON dossiers_task BEGIN "
    + _refresh_sqlite("dossier_id = old.dossier_id", "old.dossier_id")
    + " END",
    "CREATE TRIGGER digitization_scope_task_au AFTER UPDATE OF agency_id, dossier_id ON dossiers_task BEGIN "
    + _refresh_sqlite("dossier_id = old.dossier_id", "old.dossier_id")
    + _refresh_sqlite("dossier_id = new.dossier_id", "new.dossier_id")
    + " END",
    "UPDATE digitization_searchentry SET scope_agencies = " + _sqlite_agencies("dossier_id"),
    "INSERT INTO digitization_fts(digitization_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS digitization_scope_{name}"
        for name in ("dossier_au", "task_ai", "task_ad", "task_au")
    ),
    "DROP TRIGGER IF EXISTS digitization_fts_au",
    "DROP TRIGGER IF EXISTS digitization_fts_ad",
    "DROP TRIGGER IF EXISTS digitization_fts_ai",
    "DROP TABLE IF EXISTS digitization_fts",
    "CREATE VIRTUAL TABLE digitization_fts USING fts5(folded, content='digitization_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER digitization_fts_ai AFTER INSERT ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER digitization_fts_ad AFTER DELETE ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(digitization_fts, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER digitization_fts_au AFTER UPDATE ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(digitization_fts, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "INSERT INTO digitization_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "INSERT INTO digitization_fts(digitization_fts) VALUES ('rebuild')",
]

_PG_AGENCIES = _AGENCIES.format(agg="string_agg(a::text, ' ' ORDER BY a)", d="d", order="")
POSTGRES_FORWARD = [
    "CREATE FUNCTION digitization_scope_agencies(d bigint) RETURNS text LANGUAGE sql STABLE "
    f"AS $$ SELECT {_PG_AGENCIES} $$",
    # A search row's scope is computed by the database whenever the row is written, whatever the ORM sent.
    "CREATE FUNCTION digitization_scope_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.scope_agencies := digitization_scope_agencies(NEW.dossier_id); RETURN NEW; END $$",
    "CREATE TRIGGER digitization_scope_entry BEFORE INSERT OR UPDATE ON digitization_searchentry "
    "FOR EACH ROW EXECUTE FUNCTION digitization_scope_entry()",
    # A dossier's rows are rewritten only when its set of agencies really changed (most task inserts of a
    # dossier name an agency it already has).
    "CREATE FUNCTION digitization_scope_refresh(d bigint) RETURNS void LANGUAGE sql AS $$ "
    "UPDATE digitization_searchentry SET scope_agencies = digitization_scope_agencies(d) "
    "WHERE dossier_id = d AND scope_agencies IS DISTINCT FROM digitization_scope_agencies(d) $$",
    "CREATE FUNCTION digitization_scope_dossier() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM digitization_scope_refresh(NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER digitization_scope_dossier AFTER UPDATE OF receiving_agency_id, helped_at_id, "
    "competent_agency_id ON dossiers_dossier FOR EACH ROW WHEN ("
    "OLD.receiving_agency_id IS DISTINCT FROM NEW.receiving_agency_id "
    "OR OLD.helped_at_id IS DISTINCT FROM NEW.helped_at_id "
    "OR OLD.competent_agency_id IS DISTINCT FROM NEW.competent_agency_id) "
    "EXECUTE FUNCTION digitization_scope_dossier()",
    "CREATE FUNCTION digitization_scope_task() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN PERFORM digitization_scope_refresh(OLD.dossier_id); END IF; "
    "IF TG_OP <> 'DELETE' THEN PERFORM digitization_scope_refresh(NEW.dossier_id); END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER digitization_scope_task AFTER INSERT OR DELETE OR UPDATE OF agency_id, dossier_id "
    "ON dossiers_task FOR EACH ROW EXECUTE FUNCTION digitization_scope_task()",
    "UPDATE digitization_searchentry SET scope_agencies = ''",  # the BEFORE trigger computes it
    # Words and scope in one stored vector under one GIN index (it replaces the expression index of 0003):
    # the scope as '@<id>' lexemes, which no query word can be (query words are [a-z0-9]+).
    "DROP INDEX IF EXISTS digitization_searchentry_fts",
    "ALTER TABLE digitization_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, regexp_replace(folded, '[^a-z0-9]+', ' ', 'g')) || "
    "array_to_tsvector(string_to_array(regexp_replace(scope_agencies, '([0-9]+)', '@\\1', 'g'), ' '))"
    ") STORED",
    "CREATE INDEX digitization_searchentry_vector ON digitization_searchentry USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS digitization_searchentry_vector",
    "ALTER TABLE digitization_searchentry DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX digitization_searchentry_fts ON digitization_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, regexp_replace(folded, '[^a-z0-9]+', ' ', 'g')))",
    "DROP TRIGGER IF EXISTS digitization_scope_task ON dossiers_task",
    "DROP TRIGGER IF EXISTS digitization_scope_dossier ON dossiers_dossier",
    "DROP TRIGGER IF EXISTS digitization_scope_entry ON digitization_searchentry",
    "DROP FUNCTION IF EXISTS digitization_scope_task()",
    "DROP FUNCTION IF EXISTS digitization_scope_dossier()",
    "DROP FUNCTION IF EXISTS digitization_scope_refresh(bigint)",
    "DROP FUNCTION IF EXISTS digitization_scope_entry()",
    "DROP FUNCTION IF EXISTS digitization_scope_agencies(bigint)",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("digitization", "0004_job_certified_copy"),
        ("dossiers", "0009_dossier_paid_online_payment_channel_fee_basis"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="scope_agencies",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["kind", "indexed_at"], name="search_entry_kind_indexed"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
