from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from motcua.core.jsonlog import JsonFormatter
from motcua.core.requestid import RequestIdLogFilter, request_id_bound


def test_a_request_id_is_generated_and_answered(client: Client) -> None:
    first = client.get("/healthz")["X-Request-Id"]
    second = client.get("/healthz")["X-Request-Id"]
    assert len(first) == 32
    assert first != second


def test_a_well_formed_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c1e77")["X-Request-Id"] == "nginx-4f2a9c1e77"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x")["X-Request-Id"]
    assert replaced != "bad id\r\nSet-Cookie: x"
    assert len(replaced) == 32


def test_the_api_without_session_carries_the_request_id_too() -> None:
    from motcua.config.wsgi import API_WITHOUT_SESSION_MIDDLEWARE

    assert API_WITHOUT_SESSION_MIDDLEWARE[0] == "motcua.core.requestid.RequestIdMiddleware"


def test_json_log_lines_carry_the_request_id_and_extra_fields() -> None:
    record = logging.LogRecord("motcua.test", logging.INFO, __file__, 1, "hồ sơ %s", ("H99.1",), None)
    record.dossier = "H99.1"
    with request_id_bound("req-0123456789"):
        RequestIdLogFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hồ sơ H99.1"
    assert line["request_id"] == "req-0123456789"
    assert line["level"] == "INFO"
    assert line["dossier"] == "H99.1"


@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_an_action_into_its_background_task(settings) -> None:
    """Enqueued during a request, the task row keeps the id; the worker binds it while the task runs."""
    from django_tasks_db.models import DBTaskResult

    from motcua.operations.tests.tasks_for_tests import request_id_echo_task
    from motcua.portal.management.commands.worker import ResilientWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with request_id_bound("req-follow-me-42"):
        result = request_id_echo_task.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.args_kwargs["context"] == {"request_id": "req-follow-me-42"}

    worker = ResilientWorker(
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    row.claim("test-worker")
    worker.run_task(row)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL", row.traceback
    assert row.return_value == "req-follow-me-42"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_outside_a_request_gets_its_own_id(settings) -> None:
    from django_tasks_db.models import DBTaskResult

    from motcua.operations.tests.tasks_for_tests import request_id_echo_task
    from motcua.portal.management.commands.worker import ResilientWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = request_id_echo_task.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    assert "context" not in row.args_kwargs
    worker = ResilientWorker(
        queue_names=["default"],
        interval=0.1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    row.claim("test-worker")
    worker.run_task(row)
    row.refresh_from_db()
    assert len(row.return_value) == 32
