"""Backups that are proven to restore (issue 15, point 2; docs/backup.md).

A backup is a folder ``motcua-<UTC time>/``:

* ``database.dump`` — ``pg_dump --format=custom`` of a snapshot exported from a REPEATABLE READ transaction,
  so the row counts in the manifest are those of the dump; on the embedded SQLite, ``database.sqlite3``
  made with SQLite's online backup API;
* ``media/`` — every file of the default storage (uploads, results, forms), read through Django's storage
  API, so the local disk and an object store are backed up alike;
* ``pki/`` — ``MOTCUA_PKI_DIR``: certificates, CRLs and, for the software signer, the PRIVATE KEYS;
* ``settings.json`` — the settings that are not secrets (to rebuild the environment file);
* ``manifest.json`` — written last: format, time, database vendor and row count of every table, and the
  SHA-256 and size of every other file.

``backup_restore`` refuses a database or folder that is not empty; ``backup_verify`` compares the running
installation with a manifest: rows per table, every file's hash, every file a row names present, and every
issued document's digest and signatures (the signatures app's validator)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, models, transaction

from motcua.core import clock
from motcua.core.errors import ApplicationError

FORMAT = 1
MANIFEST = "manifest.json"
SETTINGS_FILE = "settings.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
PKI = "pki"
# Folders of the storage that hold nothing worth keeping (the /readyz probe writes and deletes there).
SKIPPED_STORAGE_FOLDERS = frozenset({"readyz"})
# Settings whose name contains one of these are never written to settings.json.
SECRET_MARKERS = ("SECRET", "PASSWORD", "TOKEN", "KEY", "PIN", "DATABASE_URL", "DATABASES", "CREDENTIAL")
_CHUNK = 1024 * 1024


class BackupError(ApplicationError):
    pass


@dataclass
class VerifyReport:
    tables: int = 0
    rows: int = 0
    files_checked: int = 0
    referenced_files: int = 0
    documents_verified: int = 0
    signatures_verified: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Helpers -------------------------------------------------------------------------------------------
def _sha256_stream(handle: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        return _sha256_stream(handle)


def _storage_walk(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a media folder not created yet holds nothing
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder, name)) if folder else name
    for sub in sorted(folders):
        if not folder and sub in SKIPPED_STORAGE_FOLDERS:
            continue
        yield from _storage_walk(storage, str(PurePosixPath(folder, sub)) if folder else sub)


def _pki_dir() -> Path:
    return Path(str(settings.MOTCUA_PKI_DIR))


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (the password stays out of the command line)."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _pg_tool(name: str) -> str:
    folder = str(getattr(settings, "MOTCUA_PG_BIN", "") or "")
    path = str(Path(folder, name)) if folder else shutil.which(name)
    if not path:
        raise BackupError(f"{name} not found (apt-get install postgresql-client, or set MOTCUA_PG_BIN)")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:2000]}")


def table_counts(cursor: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return counts


def settings_public() -> dict[str, Any]:
    """The MOTCUA_* settings (and a few of Django's) that are not secrets."""
    names = [n for n in dir(settings) if n.startswith("MOTCUA_")]
    names += ["ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SITE_URL", "TIME_ZONE", "LANGUAGE_CODE", "MEDIA_ROOT"]
    names += ["STORAGES", "PRODUCTION", "DEBUG"]
    public = {}
    for name in sorted(set(names)):
        if any(marker in name for marker in SECRET_MARKERS):
            continue
        public[name] = json.loads(json.dumps(getattr(settings, name, None), default=str))
    public["DATABASE_VENDOR"] = connection.vendor
    return public


# --- Create --------------------------------------------------------------------------------------------
def _postgres_dump(target: Path) -> dict[str, int]:
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        # First statement of the transaction: every later read sees one snapshot, which pg_dump shares.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        counts = table_counts(cursor)
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            _pg_env(),
        )
    return counts


def _sqlite_copy(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    copy = sqlite3.connect(target)
    try:
        names = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {name: int(copy.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]) for name in names}  # noqa: S608
    finally:
        copy.close()


def backup_create(*, destination: Path) -> Path:
    """A new backup folder under ``destination``; returns its path. The manifest is written last, so a
    folder without one is an interrupted backup."""
    target = destination / f"motcua-{clock.now().astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}"
    target.mkdir(parents=True)
    target.chmod(0o700)  # the PKI folder holds private keys
    vendor = connection.vendor
    if vendor == "postgresql":
        database_file, counts = POSTGRES_DUMP, _postgres_dump(target / POSTGRES_DUMP)
    elif vendor == "sqlite":
        database_file, counts = SQLITE_COPY, _sqlite_copy(target / SQLITE_COPY)
    else:
        raise BackupError(f"no backup method for the {vendor} database")
    files: dict[str, dict[str, Any]] = {}
    # Files after the database: a file written meanwhile is extra, never missing for a row of the dump.
    for name in _storage_walk(default_storage):
        path = target / MEDIA / name
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with default_storage.open(name, "rb") as source, path.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        files[f"{MEDIA}/{name}"] = {"sha256": digest.hexdigest(), "size": size}
    pki = _pki_dir()
    if pki.is_dir():
        shutil.copytree(pki, target / PKI)
        for path in sorted(p for p in (target / PKI).rglob("*") if p.is_file()):
            sha, size = file_sha256(path)
            files[path.relative_to(target).as_posix()] = {"sha256": sha, "size": size}
    (target / SETTINGS_FILE).write_text(json.dumps(settings_public(), indent=2, ensure_ascii=False) + "\n")
    for extra in (database_file, SETTINGS_FILE):
        sha, size = file_sha256(target / extra)
        files[extra] = {"sha256": sha, "size": size}
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "database": {"vendor": vendor, "file": database_file, "tables": counts},
        "files": files,
    }
    with (target / MANIFEST).open("w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    return target


# --- Restore -------------------------------------------------------------------------------------------
def backup_read(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source}: no {MANIFEST} (not a backup, or an interrupted one)")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def backup_check_files(source: Path, manifest: dict[str, Any]) -> list[str]:
    """Problems with the backup folder itself: a file missing, of another size or another hash."""
    problems = []
    for name, expected in sorted(manifest["files"].items()):
        path = source / name
        if not path.is_file():
            problems.append(f"backup: {name} is missing")
            continue
        sha, size = file_sha256(path)
        if (sha, size) != (expected["sha256"], expected["size"]):
            problems.append(f"backup: {name} does not match its SHA-256 in the manifest")
    return problems


def _require_empty() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables): restore needs a new, empty database "
            "(do not run migrate first)"
        )
    if any(True for _ in _storage_walk(default_storage)):
        raise BackupError("the file storage is not empty: restore needs an empty media folder or bucket")
    pki = _pki_dir()
    if pki.exists() and any(pki.iterdir()):
        raise BackupError(f"MOTCUA_PKI_DIR ({pki}) is not empty")


def backup_restore(*, source: Path) -> dict[str, Any]:
    """Restore the backup in ``source`` into the configured (empty) database, storage and PKI folder,
    after checking every file of the backup against its manifest."""
    manifest = backup_read(source)
    problems = backup_check_files(source, manifest)
    if problems:
        raise BackupError("; ".join(problems[:20]))
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database, the configured one is {connection.vendor}")
    _require_empty()
    database_file = source / manifest["database"]["file"]
    if vendor == "postgresql":
        connection.close()
        command = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        _run([*command, "--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}",
              str(database_file)], _pg_env())  # fmt: skip
    else:
        connection.ensure_connection()
        backup = sqlite3.connect(database_file)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
    restored = 0
    for name in sorted(manifest["files"]):
        if not name.startswith(f"{MEDIA}/"):
            continue
        storage_name = name.removeprefix(f"{MEDIA}/")
        with (source / name).open("rb") as handle:
            saved = default_storage.save(storage_name, File(handle, name=storage_name))
        if saved != storage_name:
            raise BackupError(f"storage renamed {storage_name} to {saved}")
        restored += 1
    pki = _pki_dir()
    if (source / PKI).is_dir():
        pki.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source / PKI, pki, dirs_exist_ok=True)
    return {"tables": len(manifest["database"]["tables"]), "files": restored}


# --- Verify --------------------------------------------------------------------------------------------
def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                yield model, model_field.name


def backup_verify(*, source: Path | None = None) -> VerifyReport:
    """Compare the running installation with a backup's manifest (rows per table, every file's hash), or
    with itself only (``source=None``): every file a row names exists, every issued document has its
    recorded digest and, when signed, its signatures verify."""
    report = VerifyReport()
    if source is not None:
        manifest = backup_read(source)
        report.problems += backup_check_files(source, manifest)
        with connection.cursor() as cursor:
            counts = table_counts(cursor)
        expected_counts: dict[str, int] = manifest["database"]["tables"]
        report.tables, report.rows = len(counts), sum(counts.values())
        for table, expected in sorted(expected_counts.items()):
            if counts.get(table) != expected:
                report.problems.append(f"table {table}: {counts.get(table)} rows, the backup has {expected}")
        for name, expected in sorted(manifest["files"].items()):
            if not name.startswith(f"{MEDIA}/"):
                continue
            storage_name = name.removeprefix(f"{MEDIA}/")
            if not default_storage.exists(storage_name):
                report.problems.append(f"file {storage_name} is missing")
                continue
            with default_storage.open(storage_name, "rb") as handle:
                sha, _size = _sha256_stream(handle)
            report.files_checked += 1
            if sha != expected["sha256"]:
                report.problems.append(f"file {storage_name} differs from the backup (SHA-256)")
    for model, name in _file_fields():
        for value in model._default_manager.exclude(**{name: ""}).values_list(name, flat=True).iterator():
            report.referenced_files += 1
            if value and not default_storage.exists(value):
                report.problems.append(f"{model._meta.label}.{name}: file {value} is missing")
    _issued_documents_verify(report)
    return report


def _issued_documents_verify(report: VerifyReport) -> None:
    from motcua.signatures.models import IssuedDocument
    from motcua.signatures.services import document_verify

    for document in IssuedDocument.objects.order_by("pk").iterator():
        label = f"issued document {document.pk} ({document.kind} {document.number})"
        try:
            with document.file.open("rb") as handle:
                content = handle.read()
        except OSError as exc:
            report.problems.append(f"{label}: cannot be read ({exc})")
            continue
        report.documents_verified += 1
        if hashlib.sha256(content).hexdigest() != document.sha256:
            report.problems.append(f"{label}: the file's SHA-256 is not the one recorded when issued")
            continue
        try:
            verdict = document_verify(content=content)["verdict"]
        except ApplicationError as exc:
            report.problems.append(f"{label}: not a readable PDF ({exc.message})")
            continue
        if verdict == "unsigned" and not document.signed_by:
            continue
        if verdict != "valid":
            report.problems.append(f"{label}: signature verdict {verdict}")
        else:
            report.signatures_verified += 1
