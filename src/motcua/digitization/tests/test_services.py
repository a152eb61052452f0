"""Jobs through the services: created from the clerk's files (checked like every upload), run by the
worker's task, reaped when their worker dies, confirmed into the dossier with a timeline event; and the
staff search over dossiers and OCR text."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.errors import PermissionDeniedError, ValidationFailedError
from motcua.digitization import services
from motcua.digitization.models import DigitizationJob, JobState
from motcua.digitization.search import fold_aligned, search_dossiers, search_index_job
from motcua.dossiers.models import DossierEvent
from motcua.testing.journeys import bulletin_received
from motcua.testing.scans import image_bytes, scan_page

PAGE_1 = ["ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP", "Họ và tên: Phạm Thị Hương", "Nơi cư trú: thôn Trường Xuân"]
PAGE_2 = ["Cam kết của người đề nghị", "Làng gốm Thanh Hà, ngày 20 tháng 11 năm 2026"]


def _png(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(scan_page(lines)), content_type="image/png")


@pytest.fixture
def dossier(bulletin_version, citizen_an, clerk_binh, frozen):  # type: ignore[no-untyped-def]
    return bulletin_received(bulletin_version, citizen_an, clerk_binh)


@pytest.mark.django_db(transaction=True)
def test_a_two_page_component_is_digitised_confirmed_and_found(  # type: ignore[no-untyped-def]
    dossier, clerk_binh, clerk_other_agency
) -> None:
    component = dossier.components.order_by("pk").first()
    # The clerk put page 2 first by mistake and moved it: the upload order is the page order.
    uploads = [_png("trang-1.png", PAGE_1), _png("trang-2.png", PAGE_2)]
    job = services.job_create(uploads=uploads, user=clerk_binh, component=component)
    job.refresh_from_db()  # the immediate backend ran it on commit
    assert job.state == JobState.DONE, job.error
    assert (job.pages_total, job.pages_done, job.progress_percent) == (2, 2, 100)
    assert "Phạm Thị Hương" in job.pages[0]["text"]
    assert "Thanh Hà" in job.pages[1]["text"]
    sources = list(job.sources.all())
    assert [s.original_name for s in sources] == ["trang-1.png", "trang-2.png"]
    assert sources[0].sha256 == hashlib.sha256(sources[0].file.read()).hexdigest()
    assert job.output_sha256 == hashlib.sha256(job.output.read()).hexdigest()

    # Another agency's clerk cannot confirm it; the receiving clerk can.
    with pytest.raises(PermissionDeniedError):
        services.component_mark_digitised(job=job, clerk=clerk_other_agency)
    services.component_mark_digitised(job=job, clerk=clerk_binh)
    component.refresh_from_db()
    assert component.digitised
    assert component.files.filter(sha256=job.output_sha256).exists()
    event = DossierEvent.objects.get(dossier=dossier, action="digitise")
    assert event.data["pages"] == 2
    assert event.data["originals"] == [s.sha256 for s in sources]

    # Found by a word only inside the scan, typed without accents; not by a clerk of another agency.
    hits = search_dossiers(user=clerk_binh, query="lang gom thanh ha")
    assert [h.dossier.pk for h in hits] == [dossier.pk]
    assert "<mark>Thanh</mark> <mark>Hà</mark>" in hits[0].snippet
    assert search_dossiers(user=clerk_other_agency, query="thanh ha") == []


@pytest.mark.django_db
def test_uploads_are_checked_like_every_upload(dossier, clerk_binh) -> None:  # type: ignore[no-untyped-def]
    component = dossier.components.first()
    renamed = SimpleUploadedFile("trang.pdf", image_bytes(scan_page(["x"])), content_type="application/pdf")
    with pytest.raises(Exception, match="không khớp"):
        services.job_create(uploads=[renamed], user=clerk_binh, component=component)
    with pytest.raises(ValidationFailedError, match="rỗng"):
        services.job_create(uploads=[SimpleUploadedFile("a.png", b"")], user=clerk_binh, component=component)
    assert not DigitizationJob.objects.exists()


def _running(**fields: Any) -> DigitizationJob:
    from motcua.core import clock

    defaults: dict[str, Any] = {"state": JobState.RUNNING, "attempts": 1, "heartbeat_at": clock.now()}
    return DigitizationJob.objects.create(**(defaults | fields))


@pytest.mark.django_db
def test_a_job_of_a_lost_worker_is_queued_again_then_failed_visibly(frozen, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    enqueued: list[int] = []
    monkeypatch.setattr(services, "job_enqueue", lambda job: enqueued.append(job.pk))
    alive = _running()
    lost = _running()
    lost_often = _running(attempts=services.MAX_ATTEMPTS)
    frozen.shift(dt.timedelta(minutes=11))
    alive.heartbeat_at = dt.datetime.now(dt.UTC)
    alive.save()
    from django.test.utils import CaptureQueriesContext  # noqa: F401 - on_commit runs at the end of atomic

    with pytest.MonkeyPatch.context():
        assert services.jobs_reap(lease_seconds=600) == 2
    states = {j.pk: (j.state, j.error_en) for j in DigitizationJob.objects.all()}
    assert states[alive.pk] == (JobState.RUNNING, "")
    assert states[lost.pk][0] == JobState.QUEUED
    assert states[lost_often.pk][0] == JobState.FAILED
    assert "stopped unexpectedly 3 times" in states[lost_often.pk][1]
    # A queued job is claimed by exactly one run.
    assert services._job_claim(lost.pk) is True
    assert services._job_claim(lost.pk) is False


@pytest.mark.django_db
def test_a_failed_job_keeps_no_output(dossier, clerk_binh, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    component = dossier.components.first()
    blank_too_small = SimpleUploadedFile("nho.png", image_bytes(scan_page(["x"], width_mm=15, height_mm=10)))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(uploads=[blank_too_small], user=clerk_binh, component=component)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert "quá nhỏ để đọc" in job.error
    assert "too small to read" in job.error_en
    assert not job.output


def test_fold_keeps_one_character_for_one() -> None:
    text = "Nguyễn Văn An, ĐƯỜNG Lê Lợi"
    assert fold_aligned(text) == "nguyen van an, duong le loi"
    assert len(fold_aligned(text)) == len(text)


@pytest.mark.django_db
def test_search_over_dossier_fields_is_ranked_and_scoped(  # type: ignore[no-untyped-def]
    bulletin_version, citizen_an, clerk_binh, clerk_other_agency, frozen
) -> None:
    first = bulletin_received(bulletin_version, citizen_an, clerk_binh, summary="Bản tin Hội Nông dân")
    second = bulletin_received(
        bulletin_version, citizen_an, clerk_binh, summary="Bản tin nông nghiệp, nông dân, nông thôn"
    )
    hits = search_dossiers(user=clerk_binh, query="nong dan")
    assert {h.dossier.pk for h in hits} == {first.pk, second.pk}
    assert search_dossiers(user=clerk_binh, query="nguyen van an")[0].snippet.count("<mark>") == 3
    assert search_dossiers(user=clerk_binh, query=first.code or "")[0].dossier == first
    assert search_dossiers(user=clerk_other_agency, query="nong dan") == []
    assert search_dossiers(user=clerk_binh, query="  ,. ") == []
    # The OCR text of a job is indexed with the dossier's.
    job = DigitizationJob.objects.create(
        dossier=first, state=JobState.DONE, text="Giấy chứng nhận <b>Hợp tác xã</b>"
    )
    search_index_job(job_id=job.pk)
    hit = search_dossiers(user=clerk_binh, query="hop tac xa")[0]
    assert hit.dossier == first
    assert hit.kind == "document"
    assert "&lt;b&gt;<mark>Hợp</mark>" in hit.snippet
