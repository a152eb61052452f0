"""``/readyz`` turns red when PostgreSQL stops and green again when it is back (issue 15, "Done when").

Stops the throwaway server of scripts/with-postgres (as tests/faults does): PostgreSQL only."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from django.test import Client

PGDATA = os.environ.get("MOTCUA_TEST_PGDATA", "")
PGBIN = os.environ.get("MOTCUA_TEST_PGBIN", "/usr/lib/postgresql/15/bin")
PGUSER = os.environ.get("MOTCUA_TEST_PGUSER", "")

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("MOTCUA_DATABASE_URL", "").startswith("postgres") or not PGDATA,
        reason="stops PostgreSQL: run under scripts/with-postgres",
    ),
]


def _pg_ctl(*args: str) -> None:
    command = [f"{PGBIN}/pg_ctl", "-D", PGDATA, "-w", *args]
    if PGUSER:
        command = ["runuser", "-u", PGUSER, "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def _server_options() -> str:
    """The options the server was started with (postmaster.opts), minus the binary and its data folder."""
    words = shlex.split(Path(PGDATA, "postmaster.opts").read_text())[1:]
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "-D":
            skip = True
        else:
            kept.append(word)
    return shlex.join(kept)


def test_readyz_is_red_while_postgresql_is_stopped_and_green_when_it_returns(client: Client) -> None:
    assert client.get("/readyz").status_code == 200
    options = _server_options()
    _pg_ctl("-m", "fast", "stop")
    try:
        down = client.get("/readyz")
        assert down.status_code == 503
        body = down.json()
        assert "database" in body["failing"]
        assert body["checks"]["database"]["ok"] is False
        # The process itself is fine: no restart wanted.
        assert client.get("/healthz").status_code == 200
    finally:
        _pg_ctl("-l", f"{PGDATA}/server.log", "-o", options, "start")
    up = client.get("/readyz")
    assert up.status_code == 200, up.json()
    assert up.json()["failing"] == []
