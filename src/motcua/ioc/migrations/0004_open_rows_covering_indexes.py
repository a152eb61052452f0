from typing import Any

from django.db import migrations

# The open rows' counts of the dashboard (status, suspension, appointment, agency) from the index alone:
# a PostgreSQL index-only scan instead of one heap page per open row, the open rows being spread over the
# whole table (docs/benchmarks.md, 2026-12-03). PostgreSQL only: SQLite has no INCLUDE, and serves the tests.
OPEN_COVER_INDEX = (
    "CREATE INDEX ioc_fact_open_cover ON ioc_dossierfact (agency_id, appointment_at) "
    # finished_at too: the counts' filters repeat "no end", and a column they name must be in the index.
    "INCLUDE (id, national_status, suspended, code, finished_at, received_at) WHERE finished_at IS NULL"
)


def open_cover_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OPEN_COVER_INDEX)


def open_cover_index_drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ioc_fact_open_cover")


class Migration(migrations.Migration):
    dependencies = [
        ("ioc", "0003_daily_counts"),
    ]

    operations = [
        migrations.RunPython(open_cover_index, open_cover_index_drop),
    ]
