"""Backups proven to restore (issue 15, "Done when"): a province with a signed result is backed up, restored
by the real command into a second, empty PostgreSQL database and empty folders, and verified there — rows,
every file's hash, and the signatures of the issued result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.core import clock
from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.operations.backup import MANIFEST, backup_verify, settings_public
from motcua.signatures.models import IssuedDocument
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.tests.test_results import _approved

POSTGRES = os.environ.get("MOTCUA_DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def signing(frozen, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    pki = tmp_path / "pki"
    pki_write(
        pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa"), "em": ("Sở Văn hóa", "Văn thư")}),
        pki,
    )
    settings.MOTCUA_PKI_DIR = str(pki)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    return pki


@pytest.fixture
def issued(  # type: ignore[no-untyped-def]
    signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version
) -> IssuedDocument:
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    return IssuedDocument.objects.get(dossier=dossier, kind="result")


@pytest.fixture
def second_database() -> Iterator[str]:
    """A new, empty database on the same PostgreSQL server; its URL."""
    name = f"motcua_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The real command in its own process, at the tests' time (the demo CRLs are fresh then, as they would be
# on a server whose scheduler refreshes them).
_AT_TEST_TIME = (
    "import sys, time_machine; "
    "time_machine.travel(sys.argv.pop(1), tick=True).start(); "
    "from motcua.__main__ import main; sys.argv[0] = 'motcua'; main()"
)


def _motcua(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    now = clock.now().isoformat()
    command = [sys.executable, "-c", _AT_TEST_TIME, now, *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not POSTGRES, reason="the round trip runs pg_dump and pg_restore: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_and_verifies_there(
    issued: IssuedDocument, signing: Path, second_database: str, tmp_path: Path
) -> None:
    textfile = tmp_path / "backup.prom"
    call_command("backup", "create", "--output", str(tmp_path / "backups"), "--textfile", str(textfile))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["database"]["tables"]["signatures_issueddocument"] >= 1
    assert f"media/{issued.file.name}" in manifest["files"]
    assert any(name.startswith("pki/") for name in manifest["files"])
    assert "motcua_backup_last_success_timestamp" in textfile.read_text()
    # Secrets stay out of the settings copy.
    public = json.loads((backup / "settings.json").read_text())
    assert "MOTCUA_SENSITIVE_FILES_KEY" not in public
    assert "SECRET_KEY" not in public
    assert public["MOTCUA_PKI_DIR"] == str(signing)

    # The live installation itself verifies, and a restore into it (not empty) is refused.
    assert backup_verify(source=backup).problems == []
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", "restore", str(backup))

    restored = tmp_path / "restored"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_DATABASE_URL": second_database,
        "MOTCUA_VAR_DIR": str(restored / "var"),
        "MOTCUA_MEDIA_ROOT": str(restored / "media"),
        "MOTCUA_PKI_DIR": str(restored / "pki"),
    }
    done = _motcua("backup", "restore", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    checked = _motcua("backup", "verify", str(backup), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 with valid signatures" in checked.stdout
    assert (restored / "media" / issued.file.name).read_bytes() == issued.file.open("rb").read()

    # A file changed after the restore is found, by name.
    (restored / "media" / issued.file.name).write_bytes(b"%PDF-1.4 tampered")
    broken = _motcua("backup", "verify", str(backup), env=env)
    assert broken.returncode != 0
    assert issued.file.name in broken.stderr
    assert "SHA-256" in broken.stderr


@pytest.mark.django_db
def test_the_settings_copy_leaves_every_secret_out(settings) -> None:
    settings.MOTCUA_CSC_CLIENT_SECRET = "do-not-write-me"
    settings.MOTCUA_METRICS_TOKEN = "nor-me"
    written = json.dumps(settings_public())
    assert "do-not-write-me" not in written
    assert "nor-me" not in written
    assert "MOTCUA_TSA_URL" in written


def test_a_folder_without_manifest_is_not_a_backup(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match=r"no manifest\.json"):
        call_command("backup", "verify", str(tmp_path))


@pytest.mark.skipif(POSTGRES, reason="the embedded default: SQLite's online backup")
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_into_a_new_database_file(
    frozen, bulletin_version, citizen_an, settings, tmp_path: Path
) -> None:
    from motcua.testing.journeys import bulletin_submitted

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = str(tmp_path / "no-pki")
    dossier = bulletin_submitted(bulletin_version, citizen_an)
    call_command("backup", "create", "--output", str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"] == {
        "vendor": "sqlite",
        "file": "database.sqlite3",
        "tables": manifest["database"]["tables"],
    }
    assert manifest["database"]["tables"]["dossiers_dossier"] == 1
    uploads = [name for name in manifest["files"] if name.startswith("media/dossiers/")]
    assert len(uploads) == 2

    restored = tmp_path / "restored"
    env = {
        **{k: v for k, v in os.environ.items() if k != "MOTCUA_DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_VAR_DIR": str(restored / "var"),
        "MOTCUA_MEDIA_ROOT": str(restored / "media"),
        "MOTCUA_PKI_DIR": str(restored / "pki"),
    }
    done = _motcua("backup", "restore", str(backup), env=env)
    assert done.returncode == 0, done.stderr
    checked = _motcua("backup", "verify", str(backup), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "2 files checked" in checked.stdout
    assert dossier.code
