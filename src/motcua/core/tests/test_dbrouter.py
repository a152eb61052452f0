from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from motcua.core.dbrouter import PrimaryReplicaRouter, read_only_alias


def test_statistics_read_from_the_replica_only_when_one_is_configured(settings: Any) -> None:
    assert read_only_alias() == "default"
    settings.DATABASES = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    assert read_only_alias() == "replica"


def test_the_router_writes_and_migrates_on_the_primary_only() -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_read(object) is None
    assert router.db_for_write(object) == "default"
    assert router.allow_migrate("replica", "dossiers") is False
    assert router.allow_migrate("default", "dossiers") is True


PRINT_DATABASES = """
import json
from motcua.config import settings as s
print(json.dumps({alias: {"options": db.get("OPTIONS", {}),
    "no_cursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False)} for alias, db in s.DATABASES.items()}))
"""


def _databases(**env: str) -> dict[str, Any]:
    # Settings are read once per process: a fresh interpreter per case (as test_production_defaults).
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    clean.update(env, MOTCUA_VAR_DIR=tempfile.gettempdir())
    done = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASES], env=clean, capture_output=True, text=True, check=True
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_behind_a_transaction_pooler_nothing_outlives_a_transaction() -> None:
    url = "postgres://motcua@127.0.0.1:6432/motcua"
    direct = _databases(MOTCUA_DATABASE_URL=url)["default"]
    assert direct["options"].get("server_side_binding") is True
    assert direct["no_cursors"] is False
    pooled = _databases(MOTCUA_DATABASE_URL=url, MOTCUA_DB_TRANSACTION_POOLER="1")
    # PgBouncer (transaction mode) hands each transaction to any server connection: no prepared
    # statements and no server-side cursors, which would be looked for on another connection.
    assert "server_side_binding" not in pooled["default"]["options"]
    assert pooled["default"]["no_cursors"] is True
    with_replica = _databases(
        MOTCUA_DATABASE_URL=url, MOTCUA_DATABASE_REPLICA_URL="postgres://motcua@127.0.0.1:5433/motcua"
    )
    assert set(with_replica) == {"default", "replica"}
