"""An Idempotency-Key answers with the first dossier only for the same request: the same key with another
body is a 422 (security review F11, reliability review F7). The hash of the canonical request is stored
with the key on the dossier, by both write paths."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import PDF_BYTES, pdf
from motcua.dossiers.tests.test_api_flow import _client, _submit

pytestmark = pytest.mark.django_db


def test_the_same_key_and_the_same_body_returns_the_first_dossier(
    citizen_an, bulletin_version, frozen
) -> None:
    client = _client(citizen_an)
    first = _submit(client, bulletin_version, key="k-1")
    again = _submit(client, bulletin_version, key="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]
    assert len(Dossier.objects.get().idempotency_fingerprint) == 64


def test_the_same_key_with_another_applicant_is_a_422(citizen_an, bulletin_version, frozen) -> None:
    client = _client(citizen_an)
    first = _submit(client, bulletin_version, key="k-2")
    other = _submit(client, bulletin_version, key="k-2", phone="0987654321")
    assert first.status_code == 201
    assert other.status_code == 422, other.content[:300]
    assert other.json()["extra"] == {"idempotency_key": "k-2", "dossier": first.json()["code"]}
    assert Dossier.objects.count() == 1


def test_the_same_key_with_another_file_is_a_422(citizen_an, bulletin_version, frozen) -> None:
    client = _client(citizen_an)
    components = list(bulletin_version.components.order_by("order"))
    assert _submit(client, bulletin_version, key="k-3").status_code == 201
    landscape = PDF_BYTES.replace(b"595 842", b"842 595")
    changed = SimpleUploadedFile("mau.pdf", landscape, content_type="application/pdf")
    files = {f"component_{components[0].pk}": pdf(), f"component_{components[1].pk}": changed}
    other = _submit(client, bulletin_version, key="k-3", files=files)
    assert other.status_code == 422, other.content[:300]


def test_a_retry_whose_body_is_now_invalid_is_the_first_dossier_only_when_it_is_the_same_request(
    citizen_an, bulletin_version, frozen
) -> None:
    client = _client(citizen_an)
    first = _submit(client, bulletin_version, key="k-4")
    # A rule changed since the first attempt: the second component became required... and more.
    bulletin_version.components.filter(name="Tài liệu khác").update(required=True)
    same = _submit(client, bulletin_version, key="k-4")
    assert same.status_code == 200, same.content[:300]
    assert same.json()["code"] == first.json()["code"]
    components = list(bulletin_version.components.order_by("order"))
    missing = _submit(client, bulletin_version, key="k-4", files={f"component_{components[0].pk}": pdf()})
    assert missing.status_code == 422
    # Without a key (or a new one), the invalid body is refused as usual.
    assert _submit(client, bulletin_version, key="k-5").status_code == 400


def test_the_same_key_from_another_user_is_another_dossier(
    citizen_an, citizen_other, bulletin_version, frozen
) -> None:
    assert _submit(_client(citizen_an), bulletin_version, key="k-6").status_code == 201
    assert _submit(_client(citizen_other), bulletin_version, key="k-6").status_code == 201
    assert Dossier.objects.count() == 2
