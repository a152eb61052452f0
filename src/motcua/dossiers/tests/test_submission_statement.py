"""On PostgreSQL an online submission is written in one statement
(``services.submission_write.submission_write_in_one_statement``). These tests hold it to the ORM path
(``submission_write_orm``, used on SQLite): the same rows,
the same messages, delivered the same way, and nothing written when any part fails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent, DossierFee, DossierFile
from motcua.dossiers.services import submission_write
from motcua.dossiers.tests.conftest import pdf
from motcua.notifications.models import Notification, NotificationStatus

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's (SQLite uses the ORM)"
)

# Columns that differ between two submissions by construction (ids, sequence numbers, file names, the
# random look-up secret — checked on its own below).
VOLATILE = {"id", "dossier_id", "component_id", "code", "idempotency_key", "file", "lookup_secret"}


def _row(obj: Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in VOLATILE
    }


def _snapshot(dossier: Dossier) -> dict[str, Any]:
    def text(value: Any) -> Any:
        return value.replace(dossier.code, "<code>") if isinstance(value, str) else value

    def messages() -> list[dict[str, Any]]:
        return [
            {k: text(v) for k, v in _row(n).items()}
            for n in Notification.objects.filter(dossier_code=dossier.code).order_by("channel")
        ]

    return {
        "dossier": _row(Dossier.objects.get(pk=dossier.pk)),
        "fees": [_row(f) for f in DossierFee.objects.filter(dossier=dossier).order_by("name")],
        "components": [
            (_row(c), [_row(f) for f in c.files.order_by("original_name")])
            for c in DossierComponent.objects.filter(dossier=dossier).order_by("catalogue_component_id")
        ],
        "events": [_row(e) for e in DossierEvent.objects.filter(dossier=dossier)],
        "messages": messages(),
    }


def _submission(version: Any) -> services.SubmissionData:
    components = list(version.components.order_by("order"))
    return services.SubmissionData(
        version=version,
        applicant=services.ApplicantData(
            name="Nguyễn Văn An", id_number="001090012345", phone="0912345678", email="an@example.org"
        ),
        summary="Xin cấp phép bản tin 'Xuân' — số 1",
        form_data={"so_ban": 500, "ghi_chu": "có dấu ' và \" và %s"},
        files={components[0].pk: [pdf("don.pdf"), pdf("don-2.pdf")], components[1].pk: [pdf("mau.pdf")]},
        # With consent the applicant gets SMS too (and the consent times are columns both paths write).
        sms_consent=True,
        survey_consent=True,
    )


@pytest.fixture
def with_fees(bulletin_version):  # type: ignore[no-untyped-def]
    bulletin_version.fees.create(name="Lệ phí cấp giấy phép", amount=Decimal(50000))
    bulletin_version.fees.create(name="Phí thẩm định", amount=Decimal(120000), channel="online")
    bulletin_version.fees.create(name="Phí nộp tại quầy", amount=Decimal(999), channel="counter")
    return bulletin_version


def test_the_statement_writes_exactly_the_rows_the_orm_path_writes(
    with_fees, citizen_an, frozen, monkeypatch, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with CaptureQueriesContext(connection) as queries:
        by_statement = services.dossier_submit(
            data=_submission(with_fees), user=citizen_an, idempotency_key="a"
        )
    # (The reads are the catalogue's, which the API prefetches and caches; savepoints are the test's.)
    writes = [q["sql"] for q in queries if not q["sql"].startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert len(writes) == 1
    assert writes[0].startswith("WITH seq AS (INSERT INTO")
    monkeypatch.setattr(submission_write, "writes_in_one_statement", lambda: False)
    by_orm = services.dossier_submit(data=_submission(with_fees), user=citizen_an, idempotency_key="b")

    assert by_statement.code is not None
    assert by_statement.code.endswith("-0001")
    assert by_orm.code is not None
    assert by_orm.code.endswith("-0002")
    statement_rows, orm_rows = _snapshot(by_statement), _snapshot(by_orm)
    assert statement_rows == orm_rows
    # Not vacuous: every kind of row is there, and the code made it into the texts.
    assert len(statement_rows["fees"]) == 2
    assert [len(files) for _, files in statement_rows["components"]] == [2, 1, 0]
    assert [e["action"] for e in statement_rows["events"]] == ["submit"]
    assert {m["channel"] for m in statement_rows["messages"]} == {"sms", "email"}
    sms = Notification.objects.get(dossier_code=by_statement.code, channel="sms")
    assert sms.body.startswith(f"[Một Cửa] Hồ sơ {by_statement.code}:")
    # The instance returned is a saved dossier, like the ORM path's.
    assert Dossier.objects.get(pk=by_statement.pk).code == by_statement.code
    # Both paths store the look-up secret the dossier was built with.
    for dossier in (by_statement, by_orm):
        assert len(dossier.lookup_secret) == 8
        assert Dossier.objects.get(pk=dossier.pk).lookup_secret == dossier.lookup_secret
    assert not by_statement._state.adding
    # Both paths store the request's fingerprint with the key (compared above; here: not empty).
    assert len(Dossier.objects.get(pk=by_statement.pk).idempotency_fingerprint) == 64
    # Both mark the new dossier for the IOC's fact drain (dossiers.changes), the statement in itself.
    stale = apps.get_model("ioc", "FactStale").objects
    marked = sorted(stale.values_list("dossier_id", "version"))
    assert marked == sorted([(by_statement.pk, 1), (by_orm.pk, 1)])


def test_a_retry_with_the_same_key_returns_the_first_dossier(
    bulletin_version, citizen_an, settings, tmp_path
):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    first = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an, idempotency_key="k")
    again = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an, idempotency_key="k")
    assert again.pk == first.pk
    assert again.code == first.code
    assert Dossier.objects.count() == 1
    # The retry's files were deleted; only the first attempt's three remain.
    assert sum(1 for p in tmp_path.rglob("*") if p.is_file()) == 3 == DossierFile.objects.count()


@pytest.mark.django_db(transaction=True)
def test_the_delivery_tasks_written_by_the_statement_are_run_by_the_worker(
    bulletin_version, citizen_an, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    dossier = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an)

    messages = list(Notification.objects.filter(dossier_code=dossier.code))
    # (The IOC's fact of the new dossier is a task of its own, queued after the commit.)
    tasks = list(DBTaskResult.objects.filter(task_path__startswith="motcua.notifications."))
    assert len(messages) == len(tasks) == 2
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(m.pk for m in messages)
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_with_another_task_backend_the_messages_are_delivered_after_commit(
    bulletin_version, citizen_an, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = tmp_path  # the test settings use the immediate backend: no task rows
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    deliveries = [
        c
        for c in callbacks
        if getattr(getattr(c, "func", None), "__name__", "") == "notification_deliver_after_commit"
    ]
    assert len(deliveries) == 2  # one per message (the others: the IOC's fact of the new dossier)
    for callback in callbacks:
        callback()
    assert set(Notification.objects.filter(dossier_code=dossier.code).values_list("status", flat=True)) == {
        NotificationStatus.SENT
    }


def test_a_failing_part_leaves_no_row_and_no_file(
    bulletin_version, citizen_an, monkeypatch, settings, tmp_path
) -> None:
    from motcua.dossiers import notify

    settings.MEDIA_ROOT = tmp_path
    build = notify.dossier_notifications_build

    def with_a_recipient_too_long_for_its_column(**kwargs: Any) -> list[Notification]:
        messages = build(**kwargs)
        messages[-1].recipient = "a" * 300
        return messages

    # The messages are among the last parts of the statement: PostgreSQL refuses the whole statement
    # after the dossier, components, files and event parts ran.
    monkeypatch.setattr(notify, "dossier_notifications_build", with_a_recipient_too_long_for_its_column)
    with pytest.raises(Exception, match="too long"):
        services.dossier_submit(data=_submission(bulletin_version), user=citizen_an)
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    assert not DossierEvent.objects.exists()
    assert not Notification.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    # …and the number was not taken: the next dossier of the day is still -0001.
    monkeypatch.setattr(notify, "dossier_notifications_build", build)
    code = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an).code
    assert code is not None
    assert code.endswith("-0001")


def test_a_counter_submission_is_written_alike_by_both_paths(
    bulletin_version, citizen_an, clerk_binh, service_centre, frozen, monkeypatch, settings, tmp_path
) -> None:
    """At the counter the clerk submits for the citizen: the event names the clerk, their role and
    agency, and the dossier is the citizen's."""
    from motcua.catalog.models import Channel

    settings.MEDIA_ROOT = tmp_path

    def at_counter() -> services.SubmissionData:
        data = _submission(bulletin_version)
        data.channel = Channel.COUNTER
        data.receiving_agency = service_centre
        data.applicant_user = citizen_an
        return data

    by_statement = services.dossier_submit(data=at_counter(), user=clerk_binh, idempotency_key="c1")
    monkeypatch.setattr(submission_write, "writes_in_one_statement", lambda: False)
    by_orm = services.dossier_submit(data=at_counter(), user=clerk_binh, idempotency_key="c2")

    statement_rows = _snapshot(by_statement)
    assert statement_rows == _snapshot(by_orm)
    assert statement_rows["dossier"]["channel"] == Channel.COUNTER
    assert statement_rows["dossier"]["applicant_user_id"] == citizen_an.pk
    event = statement_rows["events"][0]
    assert (event["actor_id"], event["actor_role"], event["actor_agency_id"]) == (
        clerk_binh.pk,
        "one_stop_clerk",
        service_centre.pk,
    )


@pytest.mark.parametrize("path", ["submission_write_in_one_statement", "submission_write_orm"])
def test_a_write_whose_outcome_is_unknown_keeps_its_files(
    bulletin_version, citizen_an, monkeypatch, settings, tmp_path, path
) -> None:
    """The database restarts as the write commits: the client hears "connection closed" though the
    dossier is there (seen in the fault-injection test: a dossier whose file had been deleted). The
    files stay; the daily sweep removes those no dossier refers to, and the retry finds the dossier."""
    from django.db import OperationalError

    settings.MEDIA_ROOT = tmp_path
    real = getattr(submission_write, path)

    def commits_then_the_connection_breaks(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(submission_write, path, commits_then_the_connection_breaks)
    monkeypatch.setattr(
        submission_write, "writes_in_one_statement", lambda: path == "submission_write_in_one_statement"
    )
    with pytest.raises(OperationalError):
        services.dossier_submit(data=_submission(bulletin_version), user=citizen_an, idempotency_key="k")
    dossier = Dossier.objects.get(idempotency_key="k")
    files = list(DossierFile.objects.filter(component__dossier=dossier))
    assert len(files) == 3
    assert all((tmp_path / f.file.name).is_file() for f in files)
    monkeypatch.undo()
    settings.MEDIA_ROOT = tmp_path
    again = services.dossier_submit(data=_submission(bulletin_version), user=citizen_an, idempotency_key="k")
    assert again.pk == dossier.pk  # the client's retry gets the dossier, its files all there
