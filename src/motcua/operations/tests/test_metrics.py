from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_metrics_count_requests_by_route_and_status_from_this_machine(client: Client) -> None:
    client.get("/healthz")
    client.get("/no-such-page-at-all/")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'motcua_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="<unmatched>",status="404"' in text
    assert 'motcua_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}' in text
    for gauge in ("motcua_dossiers_submitted", "motcua_tasks", "motcua_issued_documents"):
        assert f"# TYPE {gauge} gauge" in text


@pytest.mark.django_db
def test_metrics_count_submissions_and_the_task_queue(client: Client, settings) -> None:
    from motcua.operations.tests.tasks_for_tests import request_id_echo_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    request_id_echo_task.enqueue()
    request_id_echo_task.enqueue()
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'motcua_tasks{queue="default",status="READY"} 2.0' in text
    assert 'motcua_tasks_ready_oldest_age_seconds{queue="default"}' in text


@pytest.mark.django_db
def test_metrics_are_refused_from_elsewhere_and_through_a_proxy(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 403
    relayed = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert relayed.status_code == 403


@pytest.mark.django_db
def test_metrics_with_a_token_need_the_token(client: Client, settings) -> None:
    settings.MOTCUA_METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    wrong = client.get("/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403
    right = client.get("/metrics", REMOTE_ADDR="10.0.0.7", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert right.status_code == 200
