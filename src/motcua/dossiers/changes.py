"""The port through which a higher app learns that a dossier changed (its status, dates or flags), so it can
keep derived data in step — the IOC's per-dossier facts (``motcua.ioc.facts``). ``dossiers`` owns this
interface and calls it after every timeline event; the ``ioc`` app registers the listener in
``IocConfig.ready``.

A listener has two halves. ``mark(dossier_id)`` runs *inside* the writer's transaction, on every call: it
records durably that the dossier's derived data is stale (one cheap statement), so the mark commits or
rolls back with the change itself — a change can never be committed without its mark, nor a mark kept
for a change rolled back. ``wake()`` runs once per transaction *after* the commit and makes sure the
listener's drain will run (``core/wake.py``); a failure in it never undoes the dossier's change, and the
scheduler runs the drain anyway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model


@dataclass(frozen=True)
class ChangeListener:
    mark: Callable[[int], None]
    wake: Callable[[], None]
    # The mark as an unsaved row without its dossier id, and the ``ON CONFLICT`` clause that makes its
    # INSERT an upsert (``{table}`` for the table's name): a writer that sends one statement of its own
    # (``core.statements.InsertChain``: the submission, the payment notification on PostgreSQL) inserts it
    # there instead of a statement more, then calls ``dossier_changed(…, marked=True)``.
    mark_row: Callable[[], Model] | None = None
    mark_conflict: str = ""


_listener: ChangeListener | None = None


def dossier_changed_listener_set(listener: ChangeListener | None) -> None:
    global _listener
    _listener = listener


class _Wake:
    """One pending wake of a transaction; ``done`` once run (a test that runs the callbacks of its
    still-open transaction leaves them in the list: those no longer count as pending)."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake, self.done = wake, False

    def __call__(self) -> None:
        self.done = True
        self.wake()


def dossier_mark_rows() -> tuple[list[Model], str]:
    """The rows that mark a dossier as changed and their ``ON CONFLICT`` clause (``ChangeListener.mark_row``);
    whoever writes them calls ``dossier_changed(…, marked=True)`` after its statement."""
    listener = _listener
    if listener is None or listener.mark_row is None:
        return [], ""
    return [listener.mark_row()], listener.mark_conflict


def dossier_changed(dossier_id: int, *, marked: bool = False) -> None:
    listener = _listener
    if listener is None or dossier_id is None:
        return
    if not marked:
        listener.mark(dossier_id)
    connection = transaction.get_connection()
    # Once per transaction: a change that writes two events (fee paid, then the clock resumes), or a
    # transaction that changes many dossiers, wakes the drain once. A callback of a rolled-back savepoint
    # is already gone from the list, so the call that still commits registers its own.
    if connection.in_atomic_block and any(
        isinstance(func, _Wake) and not func.done and func.wake is listener.wake
        for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Wake(listener.wake), robust=True)
