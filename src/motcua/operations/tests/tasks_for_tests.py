"""A task for the tests: returns the request id bound while it runs."""

from __future__ import annotations

from django.tasks import task

from motcua.core.requestid import request_id_current


@task(queue_name="default")
def request_id_echo_task() -> str:
    return request_id_current()
