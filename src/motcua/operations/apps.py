from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "motcua.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from django_tasks_db.models import DBTaskResult

        # A task enqueued while a request is served carries its request id (core.requestid).
        pre_save.connect(task_context_attach, sender=DBTaskResult, dispatch_uid="motcua.task_context")


def task_context_attach(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from motcua.core.requestid import TASK_CONTEXT_KEY, task_context_current

    args_kwargs = instance.args_kwargs
    if raw or not instance._state.adding or not isinstance(args_kwargs, dict):
        return
    context = task_context_current()
    if context and TASK_CONTEXT_KEY not in args_kwargs:
        instance.args_kwargs = {**args_kwargs, TASK_CONTEXT_KEY: context}
