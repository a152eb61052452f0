from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.signing import PkiFiles, tsa_credentials
from motcua.simulators.tsa import TimeStampAuthority, tsa_serve_in_thread, tsa_server


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def tsa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("pki")
    pki_write(pki_demo_build(people={}), directory)
    cert, key, chain = tsa_credentials(PkiFiles(Path(directory)))
    server = tsa_server(authority=TimeStampAuthority(tsa_cert=cert, tsa_key=key, chain=chain), port=0)
    tsa_serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_healthz_answers_without_checking_anything(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_storage_tsa_and_tasks(client: Client, settings, tsa_url: str) -> None:
    settings.MOTCUA_TSA_URL = tsa_url
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "storage", "tsa", "tasks"}
    assert body["checks"]["tsa"]["detail"].startswith("HTTP ")
    # The storage probe cleaned up after itself.
    assert not any((Path(settings.MEDIA_ROOT) / "readyz").glob("*"))


@pytest.mark.django_db
def test_readyz_is_503_naming_an_unreachable_tsa(client: Client, settings) -> None:
    settings.MOTCUA_TSA_URL = f"http://127.0.0.1:{_closed_port()}/"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["tsa"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_naming_storage_it_cannot_write(client: Client, settings, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.django_db
def test_readyz_is_503_when_tasks_wait_too_long(client: Client, settings) -> None:
    import time_machine

    from motcua.operations.tests.tasks_for_tests import request_id_echo_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_READYZ_TASK_MAX_AGE_SECONDS = 600
    with time_machine.travel("2026-03-02 08:00 +07:00", tick=False):
        request_id_echo_task.enqueue()
    with time_machine.travel("2026-03-02 08:05 +07:00", tick=False):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel("2026-03-02 08:11 +07:00", tick=False):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["tasks"]
    assert "1 tasks waiting" in response.json()["checks"]["tasks"]["detail"]
