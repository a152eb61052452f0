"""The full-text index over ``SearchEntry.folded``: an FTS5 table kept in step by triggers on SQLite; on
PostgreSQL the ``unaccent`` extension (for the query side) and a GIN index on the ``simple`` tsvector."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE digitization_fts USING fts5(folded, content='digitization_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER digitization_fts_ai AFTER INSERT ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER digitization_fts_ad AFTER DELETE ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(digitization_fts, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER digitization_fts_au AFTER UPDATE ON digitization_searchentry BEGIN "
    "INSERT INTO digitization_fts(digitization_fts, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "INSERT INTO digitization_fts(rowid, folded) VALUES (new.id, new.folded); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS digitization_fts_au",
    "DROP TRIGGER IF EXISTS digitization_fts_ad",
    "DROP TRIGGER IF EXISTS digitization_fts_ai",
    "DROP TABLE IF EXISTS digitization_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX digitization_searchentry_fts ON digitization_searchentry "
    # Split on what is not a letter or digit, as the query does (the "simple" parser keeps "000.00.09"
    # and "-250303" of a dossier code whole).
    "USING gin (to_tsvector('simple'::regconfig, regexp_replace(folded, '[^a-z0-9]+', ' ', 'g')))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS digitization_searchentry_fts"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("digitization", "0002_search_entries")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
