"""Files on S3-compatible object storage (issue 15, point 4), against moto's S3 server started in a thread
on a free port: uploads and issued documents go through Django's storage API into the bucket, issued
documents are write-once, their SHA-256 is checked when they are handed out, and /readyz probes the bucket."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from motcua.core.storage import WriteOnceError
from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.signatures.models import IssuedDocument
from motcua.signatures.pki import pki_demo_build, pki_write
from motcua.signatures.tests.test_results import _approved

BUCKET = "motcua-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings) -> Any:  # type: ignore[no-untyped-def]
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "motcua.core.storage_s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "file_overwrite": False,
                "default_acl": None,
                "addressing_style": "path",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db
def test_documents_are_write_once_in_the_bucket(s3: Any) -> None:
    name = default_storage.save("documents/2025/ket-qua.pdf", ContentFile(b"%PDF first"))
    again = default_storage.save("documents/2025/ket-qua.pdf", ContentFile(b"%PDF second"))
    assert again != name  # a new name, never the old one overwritten
    assert s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() == b"%PDF first"
    with pytest.raises(WriteOnceError):
        default_storage._save(name, ContentFile(b"%PDF replaced"))
    assert s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() == b"%PDF first"


@pytest.mark.django_db
def test_readyz_probes_the_bucket(s3: Any, client: Client) -> None:
    response = client.get("/readyz")
    assert response.json()["checks"]["storage"] == {
        "ok": True,
        "detail": "S3Storage",
        "ms": response.json()["checks"]["storage"]["ms"],
    }
    assert _keys(s3) == []  # the probe removed its object


@pytest.mark.django_db
def test_uploads_and_signed_results_live_in_the_bucket_and_are_checked_when_read(
    s3: Any,
    frozen: Any,
    settings: Any,
    tmp_path: Path,
    client: Client,
    citizen_an: Any,
    clerk_binh: Any,
    specialist_chi: Any,
    leader_dung: Any,
    clerical_em: Any,
    bulletin_version: Any,
) -> None:
    people = {"dung": ("Hoàng Văn Dũng", "Sở Văn hóa"), "em": ("Sở Văn hóa", "Văn thư")}
    pki_write(pki_demo_build(people=people), tmp_path)
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "no-local-files"
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    result = IssuedDocument.objects.get(dossier=dossier, kind="result")

    keys = _keys(s3)
    assert result.file.name in keys
    assert any(key.startswith("dossiers/") for key in keys)  # the citizen's uploads
    assert not settings.MEDIA_ROOT.exists()  # nothing on the local disk
    stored = s3.get_object(Bucket=BUCKET, Key=result.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == result.sha256

    client.force_login(citizen_an)
    url = f"/van-ban/ket-qua/{dossier.code}.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored  # type: ignore[attr-defined]

    # Someone with access to the bucket changes the stored result: it is no longer handed out as ours.
    s3.put_object(Bucket=BUCKET, Key=result.file.name, Body=stored.replace(b"%%EOF", b"%%EOF\n% x"))
    altered = client.get(url)
    assert altered.status_code == 500
    assert "không còn nguyên vẹn" in altered.content.decode()
