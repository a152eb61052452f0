"""A full disk answers 507 and leaves no file behind; files of submissions that were never recorded are
swept after a day (review reliability F8, F9)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import File
from django.core.management import call_command
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.core.storage import FileSystemStorage
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.conftest import pdf
from motcua.dossiers.uploads import upload_orphans_sweep

pytestmark = pytest.mark.django_db


class DiskFillsUp(File):  # type: ignore[type-arg]
    """The upload as the storage reads it, but the disk fills up after the first chunk is written."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"%PDF-1.4 first part of the file"
        raise OSError(errno.ENOSPC, "No space left on device")


class FullAfterOneFileStorage(FileSystemStorage):
    """The first file of a submission fits; the disk is full during the second."""

    saved = 0

    def _save(self, name: str, content: Any) -> str:
        FullAfterOneFileStorage.saved += 1
        if FullAfterOneFileStorage.saved > 1:
            content = DiskFillsUp(content, name=name)
        return super()._save(name, content)


@pytest.fixture
def disk_full_on_second_file(settings: Any, tmp_path: Path) -> Path:
    FullAfterOneFileStorage.saved = 0
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullAfterOneFileStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def _files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_full_disk_answers_507_and_leaves_no_file(
    citizen_an: Any, bulletin_version: ProcedureVersion, frozen: Any, disk_full_on_second_file: Path
) -> None:
    client = Client()
    client.force_login(citizen_an)
    first, second = list(bulletin_version.components.order_by("order"))[:2]
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    response = client.post(
        "/api/v1/dossiers",
        {"data": json.dumps(payload), f"component_{first.pk}": pdf(), f"component_{second.pk}": pdf("b.pdf")},
        HTTP_IDEMPOTENCY_KEY="disk-full-1",
    )
    assert response.status_code == 507
    body = response.json()
    assert "run out of file storage" in body["message"]
    assert body["extra"]["retry_safe"] is True
    assert FullAfterOneFileStorage.saved == 2  # the first file was written, then the second failed
    assert _files_under(disk_full_on_second_file) == []  # neither the complete nor the partial file
    assert not Dossier.objects.exists()


def test_the_storage_removes_its_partial_file_when_a_write_fails(tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path)
    with pytest.raises(OSError, match="No space left"):
        storage.save("dossiers/a.pdf", DiskFillsUp(None, name="a.pdf"))
    assert _files_under(tmp_path) == []


def test_a_name_taken_by_another_file_is_not_removed_on_failure(tmp_path: Path) -> None:
    storage = FileSystemStorage(location=tmp_path)
    kept = storage.save("dossiers/a.pdf", File(open(__file__, "rb"), name="a.pdf"))  # noqa: SIM115
    with pytest.raises(OSError, match="No space left"):
        storage.save("dossiers/a.pdf", DiskFillsUp(None, name="a.pdf"))
    assert [p.relative_to(tmp_path).as_posix() for p in _files_under(tmp_path)] == [kept]


def _age(path: Path, days: float) -> None:
    when = dt.datetime.now(dt.UTC).timestamp() - days * 86400
    os.utime(path, (when, when))


def test_orphan_uploads_older_than_a_day_are_swept(
    settings: Any, tmp_path: Path, citizen_an: Any, bulletin_version: ProcedureVersion, frozen: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(citizen_an)
    first, second = list(bulletin_version.components.order_by("order"))[:2]
    payload = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"},
    }
    response = client.post(
        "/api/v1/dossiers",
        {"data": json.dumps(payload), f"component_{first.pk}": pdf(), f"component_{second.pk}": pdf("b.pdf")},
    )
    assert response.status_code == 201
    recorded = sorted(DossierFile.objects.values_list("file", flat=True))
    assert len(recorded) == 2
    folder = tmp_path / "dossiers" / "2025" / "03"
    orphan_old, orphan_young = folder / "o.pdf", folder / "y.pdf"
    for path in (orphan_old, orphan_young):
        path.write_bytes(b"%PDF-1.4")
    issued = tmp_path / "documents" / "2025" / "kq.pdf"  # not an upload: never swept
    issued.parent.mkdir(parents=True)
    issued.write_bytes(b"%PDF-1.4")
    for path in _files_under(tmp_path):
        _age(path, 2)
    _age(orphan_young, 0.5)

    assert upload_orphans_sweep() == ["dossiers/2025/03/o.pdf"]
    left = sorted(p.relative_to(tmp_path).as_posix() for p in _files_under(tmp_path))
    assert left == sorted([*recorded, "dossiers/2025/03/y.pdf", "documents/2025/kq.pdf"])
    _age(orphan_young, 2)
    call_command("uploads_sweep")
    assert not orphan_young.exists()
    assert all((tmp_path / name).exists() for name in recorded)
