"""The archive job: an issued B-LT result becomes PAdES B-LTA (document time-stamp + validation data), still
verifies, is still recognised as ours in every version, and documents not yet due are left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core import clock
from motcua.dossiers import processing
from motcua.dossiers.models import TaskStatus
from motcua.portal.management.commands.scheduler import PERIODIC, jobs_due
from motcua.signatures.archive import (
    ArchiveError,
    document_archive_timestamp_add,
    documents_archive_due,
    documents_due_for_archive,
)
from motcua.signatures.models import IssuedDocument
from motcua.signatures.pki import crl_write, pki_demo_build, pki_write
from motcua.signatures.services import document_verify
from motcua.signatures.signing import PkiFiles
from motcua.signatures.tests.test_results import _approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing(frozen, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    pki_write(
        pki_demo_build(people={"dung": ("Hoàng Văn Dũng", "Sở Văn hóa"), "em": ("Sở Văn hóa", "Văn thư")}),
        tmp_path,
    )
    settings.MOTCUA_PKI_DIR = str(tmp_path)
    settings.MOTCUA_SIGN_RESULTS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_ARCHIVE_MARGIN_DAYS = 365
    return tmp_path


@pytest.fixture
def issued(  # type: ignore[no-untyped-def]
    signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version
) -> IssuedDocument:
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    # As if time-stamped by an outside TSA whose certificate we do not know: due at the next run.
    IssuedDocument.objects.filter(dossier=dossier, kind="result").update(timestamp_valid_until=None)
    return IssuedDocument.objects.get(dossier=dossier, kind="result")


def test_a_fresh_result_records_its_time_stamp_expiry_and_is_not_due_yet(  # type: ignore[no-untyped-def]
    signing, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, bulletin_version
) -> None:
    dossier = _approved(bulletin_version, citizen_an, clerk_binh, specialist_chi, leader_dung)
    processing.task_complete(task=dossier.tasks.get(status=TaskStatus.ACTIVE), user=clerical_em)
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    assert document.timestamp_valid_until == PkiFiles(signing).cert("tsa").not_valid_after_utc
    assert not documents_due_for_archive().exists()


def _content(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_the_archive_job_turns_a_b_lt_result_into_b_lta_that_still_verifies(
    issued: IssuedDocument, signing: Path, django_capture_on_commit_callbacks
) -> None:
    assert issued.pades_level == "B-LT"
    before = _content(issued)
    old_name = issued.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_archive_due() == {"archived": 1, "failed": 0, "errors": []}

    document = IssuedDocument.objects.get(pk=issued.pk)
    after = _content(document)
    assert document.pades_level == "B-LTA"
    assert document.archived_at == clock.now()
    tsa_not_after = PkiFiles(signing).cert("tsa").not_valid_after_utc
    assert document.timestamp_valid_until == tsa_not_after
    assert document.sha256 == hashlib.sha256(after).hexdigest()
    assert after.startswith(before)  # an incremental update: what was signed is untouched
    assert not document.file.storage.exists(old_name)  # the new file holds the old one
    assert [s.get("username") for s in document.signed_by][:2] == ["dung", "em"]

    reader = PdfFileReader(document.file.open("rb"))
    # One document time-stamp after each signature at issue (B-LTA from the start), then the archive's.
    assert [s.field_name for s in reader.embedded_timestamp_signatures] == [
        "LuuTruDaiHan1",
        "LuuTruDaiHan2",
        "LuuTruDaiHan3",
    ]
    report = document_verify(content=after)
    assert report["all_valid"]
    signatures = [s for s in report["signatures"] if s["kind"] == "signature"]
    stamps = [s for s in report["signatures"] if s["kind"] == "document_timestamp"]
    assert len(signatures) == 2
    for signature in signatures:
        assert signature["intact"]
        assert signature["valid"]
        assert signature["trusted"]
        assert not signature["modified_after_signing"]
    # After the agency's (last) signature only validation data and the archive time-stamp were added.
    assert signatures[-1]["modification_level"] == "LTA_UPDATES"
    assert signatures[0]["modification_level"] == "FORM_FILLING"  # the agency signed after the leader
    assert len(stamps) == 3
    assert all(stamp["trusted"] for stamp in stamps)
    assert stamps[-1]["signer"] == "Motcua Demo TSA"
    assert report["issued_by_us"]
    assert report["issued_latest_version"]


def test_a_copy_handed_out_before_archiving_is_still_recognised_as_ours(issued: IssuedDocument) -> None:
    before = _content(issued)
    document_archive_timestamp_add(document=issued)
    report = document_verify(content=before)
    assert report["issued_by_us"]
    assert not report["issued_latest_version"]
    assert report["issued_number"] == issued.number


def test_documents_not_yet_due_are_skipped(issued: IssuedDocument, settings) -> None:
    IssuedDocument.objects.filter(pk=issued.pk).update(
        timestamp_valid_until=clock.now() + dt.timedelta(days=400)
    )
    assert not documents_due_for_archive().exists()
    assert documents_archive_due()["archived"] == 0
    settings.MOTCUA_ARCHIVE_MARGIN_DAYS = 500
    assert list(documents_due_for_archive()) == [issued]


def test_a_second_run_the_same_day_does_nothing(issued: IssuedDocument) -> None:
    assert documents_archive_due()["archived"] == 1
    assert documents_archive_due()["archived"] == 0
    assert IssuedDocument.objects.get(pk=issued.pk).signed_by[-1]["archive_timestamp"] == "LuuTruDaiHan3"


def test_before_the_time_stamp_expires_the_chain_is_extended(issued: IssuedDocument, signing: Path) -> None:
    document_archive_timestamp_add(document=issued)
    issued.refresh_from_db()
    assert issued.timestamp_valid_until is not None
    # Within the margin of the TSA certificate's expiry; the CRLs kept current as the refresh job would.
    later = issued.timestamp_valid_until - dt.timedelta(days=200)
    with time_machine.travel(later, tick=False):
        for ca in ("root", "issuing"):
            crl_write(signing, ca_name=ca)
        assert list(documents_due_for_archive()) == [issued]
        assert documents_archive_due() == {"archived": 1, "failed": 0, "errors": []}
        document = IssuedDocument.objects.get(pk=issued.pk)
        reader = PdfFileReader(document.file.open("rb"))
        stamps = reader.embedded_timestamp_signatures
        assert [s.field_name for s in stamps][-2:] == ["LuuTruDaiHan3", "LuuTruDaiHan4"]
        report = document_verify(content=_content(document))
        assert all(s["trusted"] for s in report["signatures"] if s["kind"] == "document_timestamp")
        previous = [e["previous_sha256"] for e in document.signed_by if "previous_sha256" in e]
        assert len(previous) == 2


def test_a_stored_file_that_no_longer_matches_its_digest_is_not_stamped(issued: IssuedDocument) -> None:
    IssuedDocument.objects.filter(pk=issued.pk).update(sha256="0" * 64)
    issued.refresh_from_db()
    with pytest.raises(ArchiveError, match="không khớp"):
        document_archive_timestamp_add(document=issued)
    result = documents_archive_due()
    assert (result["archived"], result["failed"]) == (0, 1)
    assert IssuedDocument.objects.get(pk=issued.pk).pades_level == "B-LT"


def test_a_run_that_lost_the_race_changes_nothing(issued: IssuedDocument) -> None:
    stale = IssuedDocument.objects.get(pk=issued.pk)
    document_archive_timestamp_add(document=issued)
    winner = IssuedDocument.objects.get(pk=issued.pk)
    with pytest.raises(ArchiveError):
        document_archive_timestamp_add(document=stale)  # its digest is the old one: the file moved on
    assert IssuedDocument.objects.get(pk=issued.pk).sha256 == winner.sha256


def test_archive_run_command_lists_and_archives(issued: IssuedDocument, capsys) -> None:
    call_command("archive", "run", "--dry-run")
    assert "1 document(s) due." in capsys.readouterr().out
    call_command("archive", "run")
    assert "1 document(s) archived, 0 failed." in capsys.readouterr().out
    assert IssuedDocument.objects.get(pk=issued.pk).pades_level == "B-LTA"


def test_the_scheduler_enqueues_the_crl_refresh_every_6_hours_and_the_archive_daily() -> None:
    every = {path for path, _ in PERIODIC}
    assert set(jobs_due({}, 0)) == every
    last = dict.fromkeys(every, 0.0)
    assert jobs_due(last, 300) == [
        "motcua.dossiers.tasks.deadlines_scan_task",
        "motcua.dossiers.tasks.notifications_retry_task",
        "motcua.national.tasks.post_outbox_drain_task",
        "motcua.dvcqg.tasks.dvcqg_outbox_drain_task",
        "motcua.digitization.tasks.jobs_reap_task",
        "motcua.digitization.tasks.search_index_refresh_task",
        "motcua.payments.tasks.payments_maintain_task",
        "motcua.ioc.tasks.ioc_facts_drain_task",
    ]
    assert "motcua.signatures.tasks.revocation_lists_refresh_task" in jobs_due(last, 6 * 3600)
    assert "motcua.signatures.tasks.documents_archive_task" not in jobs_due(last, 6 * 3600)
    assert "motcua.signatures.tasks.documents_archive_task" in jobs_due(last, 24 * 3600)


def test_scheduler_once_runs_the_archive_task(issued: IssuedDocument) -> None:
    call_command("scheduler", "--once")  # tests run tasks in-process (ImmediateBackend)
    assert IssuedDocument.objects.get(pk=issued.pk).pades_level == "B-LTA"
