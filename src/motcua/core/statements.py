"""Several INSERTs sent to PostgreSQL as one statement (data-modifying common table expressions).

Why: on the hot write paths (an online submission writes a dossier, its fees, components, files, the
timeline event, the notification and its delivery task) each INSERT is a round trip, and on a machine
whose cores are shared by the web workers and the database the round trips — not the SQL — are the
cost. One statement is also atomic by itself, so it needs no BEGIN/COMMIT when run in autocommit.

The rows are ordinary unsaved model instances, built by the same code as the ORM path; the columns,
defaults, ``auto_now_add`` values and value adaptation come from Django's field machinery, so a field
added to a model is written here too. A value that only the statement knows — the id of a row inserted
by an earlier part, a number taken from a sequence — is given as an :class:`Sql` expression in place of
the field's value; strings may carry a placeholder that the statement replaces (``substitute``).

PostgreSQL only: SQLite has no data-modifying CTEs. Callers keep the ORM path for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import DatabaseDefault


@dataclass(frozen=True)
class Sql:
    """An SQL expression (with its parameters) standing for a field's value."""

    sql: str
    params: tuple[Any, ...] = ()


_DEFAULT = Sql("DEFAULT")


def assign(obj: Model, attname: str, value: Sql) -> None:
    """Give ``obj``'s field a value only the statement knows (e.g. the id of a row inserted before)."""
    setattr(obj, attname, value)


class InsertChain:
    """Build ``WITH a AS (…), b AS (INSERT … RETURNING …) SELECT …`` and run it in one round trip."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._params: list[Any] = []
        self._substitutions: list[tuple[str, Sql]] = []

    def with_query(self, name: str, sql: str, params: Sequence[Any] = ()) -> None:
        self._parts.append(f"{name} AS ({sql})")
        self._params.extend(params)

    def substitute(self, placeholder: str, value: Sql) -> None:
        """In every string value inserted after this call, replace ``placeholder`` with ``value``."""
        self._substitutions.append((placeholder, value))

    def insert(
        self,
        name: str,
        objs: Sequence[Model],
        returning: Sequence[str] = ("id",),
        *,
        when: str = "",
        conflict: str = "",
    ) -> None:
        """Insert ``objs`` (unsaved instances of one model) as the CTE ``name``. ``when``: an SQL condition
        (e.g. ``EXISTS (SELECT 1 FROM d)``) under which the row is inserted at all (one row only);
        ``conflict``: an ``ON CONFLICT …`` clause, with the table's name as ``{table}``."""
        if not objs:
            return
        if when and len(objs) != 1:
            raise ValueError("a conditional insert takes one row")
        meta = type(objs[0])._meta
        ops = connection.ops
        fields = [
            f
            for f in meta.local_concrete_fields
            if not getattr(f, "generated", False)
            and not (f.primary_key and all(getattr(o, f.attname) is None for o in objs))
        ]
        rows: list[str] = []
        for obj in objs:
            values: list[str] = []
            for f in fields:
                value = getattr(obj, f.attname)
                if not isinstance(value, Sql):
                    value = f.pre_save(obj, add=True)
                    # A field with db_default and no value: let PostgreSQL fill it, as Model.save does.
                    value = _DEFAULT if isinstance(value, DatabaseDefault) else value
                if not isinstance(value, Sql):
                    value = self._adapt(f.get_db_prep_save(value, connection))
                if isinstance(value, Sql):
                    values.append(value.sql)
                    self._params.extend(value.params)
                else:
                    values.append("%s")
                    self._params.append(value)
            rows.append(f"({', '.join(values)})")
        columns = ", ".join(ops.quote_name(str(f.column)) for f in fields)
        returned = ", ".join(ops.quote_name(c) for c in returning)
        table = ops.quote_name(str(meta.db_table))
        # INSERT … SELECT coerces untyped literals to the columns' types as VALUES does.
        source = f"SELECT {rows[0][1:-1]} WHERE {when}" if when else f"VALUES {', '.join(rows)}"
        on_conflict = f" {conflict.format(table=table)}" if conflict else ""
        self._parts.append(  # names and columns come from our models, values are parameters
            f"{name} AS (INSERT INTO {table} ({columns}) {source}{on_conflict}"
            + (f" RETURNING {returned})" if returning else ")")
        )

    def _adapt(self, value: Any) -> Any:
        if isinstance(value, str):
            for placeholder, replacement in self._substitutions:
                if placeholder in value:
                    # replace(text, placeholder, expression): the expression is evaluated by the statement.
                    return Sql(
                        f"replace(%s, %s, {replacement.sql})", (value, placeholder, *replacement.params)
                    )
        return value

    def sql(self, select: str) -> tuple[str, list[Any]]:
        return f"WITH {', '.join(self._parts)} {select}", list(self._params)

    def execute(self, select: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
        """Run the statement; ``select`` (e.g. ``SELECT id, code FROM d``) gives the one row returned."""
        sql, all_params = self.sql(select)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*all_params, *params])
            row = cursor.fetchone()
        assert row is not None, "the final SELECT must return one row"
        return tuple(row)
