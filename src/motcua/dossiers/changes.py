"""The port through which a higher app learns that a dossier changed (its status, dates or flags), so it can
keep derived data in step — the IOC's per-dossier facts (``motcua.ioc.facts``). ``dossiers`` owns this
interface and calls it after every timeline event; the ``ioc`` app registers the listener in
``IocConfig.ready``. The listener runs after the surrounding transaction commits (the dossier's fields are
then all saved), once per dossier per transaction, and a failure in it never undoes the dossier's change."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

_listener: Callable[[int], None] | None = None


def dossier_changed_listener_set(listener: Callable[[int], None] | None) -> None:
    global _listener
    _listener = listener


class _Tell:
    """One pending "dossier changed" of a transaction; ``done`` once run (a test that runs the callbacks
    of its still-open transaction leaves them in the list: those no longer count as pending)."""

    def __init__(self, listener: Callable[[int], None], dossier_id: int) -> None:
        self.listener, self.dossier_id, self.done = listener, dossier_id, False

    def __call__(self) -> None:
        self.done = True
        self.listener(self.dossier_id)


def dossier_changed(dossier_id: int) -> None:
    listener = _listener
    if listener is None or dossier_id is None:
        return
    connection = transaction.get_connection()
    # Once per dossier per transaction: a change that writes two events (fee paid, then the clock
    # resumes) tells the listener once. A callback of a rolled-back savepoint is already gone from the
    # list, so the dossier is then told again by the call that still commits.
    if connection.in_atomic_block and any(
        isinstance(func, _Tell)
        and not func.done
        and func.listener is listener
        and func.dossier_id == dossier_id
        for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Tell(listener, dossier_id), robust=True)
