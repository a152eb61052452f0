"""The port through which a higher app learns that a dossier changed (its status, dates or flags), so it can
keep derived data in step — the IOC's per-dossier facts (``motcua.ioc.facts``). ``dossiers`` owns this
interface and calls it after every timeline event; the ``ioc`` app registers the listener in
``IocConfig.ready``. The listener runs after the surrounding transaction commits (the dossier's fields are
then all saved), once per dossier per transaction, and a failure in it never undoes the dossier's change."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

_listener: Callable[[int], None] | None = None


def dossier_changed_listener_set(listener: Callable[[int], None] | None) -> None:
    global _listener
    _listener = listener


def dossier_changed(dossier_id: int) -> None:
    listener = _listener
    if listener is None or dossier_id is None:
        return
    call = partial(listener, dossier_id)
    connection = transaction.get_connection()
    # Once per dossier per transaction: a change that writes two events (fee paid, then the clock
    # resumes) tells the listener once. A callback of a rolled-back savepoint is already gone from the
    # list, so the dossier is then told again by the call that still commits.
    if connection.in_atomic_block and any(
        isinstance(func, partial) and func.func is listener and func.args == call.args
        for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(call, robust=True)
