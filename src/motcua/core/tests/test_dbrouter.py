from __future__ import annotations

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
