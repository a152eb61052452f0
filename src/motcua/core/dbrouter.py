"""A streaming replica for heavy read-only queries (docs/scaling.md).

With ``MOTCUA_DATABASE_REPLICA_URL`` set, settings add the database alias ``replica`` and this router.
Nothing is sent to the replica implicitly — a page that reads right after a write must see it, and a
replica lags — only queries that ask for ``read_only_alias()`` go there: aggregate statistics, where
a few seconds of lag do not matter. Migrations run on the primary only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"


def read_only_alias() -> str:
    """The alias for a read-only query that may lag a little: the replica when one is configured."""
    return REPLICA if REPLICA in settings.DATABASES else DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return None  # the primary, unless the query names the replica itself

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same data on both

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        return db != REPLICA
