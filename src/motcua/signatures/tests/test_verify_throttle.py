"""The anonymous verification upload is throttled per address (review F13: ~0.2 s of CPU per PDF)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_three_per_window")]


@pytest.fixture
def _three_per_window():  # type: ignore[no-untyped-def]
    with override_settings(MOTCUA_THROTTLE_VERIFY_PER_IP="3/15m"):
        yield


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def test_the_api_answers_429_with_retry_after_past_the_limit() -> None:
    client = Client(REMOTE_ADDR="203.0.113.20")
    answers = [client.post("/api/v1/verifications", {"file": _upload()}).status_code for _ in range(3)]
    assert 429 not in answers
    refused = client.post("/api/v1/verifications", {"file": _upload()})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    assert (
        Client(REMOTE_ADDR="192.0.2.3").post("/api/v1/verifications", {"file": _upload()}).status_code != 429
    )


def test_the_page_counts_uploads_not_visits() -> None:
    client = Client(REMOTE_ADDR="203.0.113.21")
    for _ in range(5):
        assert client.get("/xac-minh/").status_code == 200
    for _ in range(3):
        assert client.post("/xac-minh/", {"file": _upload()}).status_code == 200
    refused = client.post("/xac-minh/", {"file": _upload()})
    assert refused.status_code == 429
    assert refused.has_header("Retry-After")
    assert "quá nhiều lần" in refused.content.decode()


def test_the_page_and_the_api_share_one_allowance() -> None:
    client = Client(REMOTE_ADDR="203.0.113.22")
    for _ in range(3):
        client.post("/xac-minh/", {"file": _upload()})
    assert client.post("/api/v1/verifications", {"file": _upload()}).status_code == 429
