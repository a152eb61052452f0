"""Writing a new dossier, two ways that must give the same rows (``tests/test_submission_statement.py``
holds them equal): the ORM in one transaction (SQLite, drafts) and, on PostgreSQL, one statement of
data-modifying CTEs (``core.statements.InsertChain``): one round trip instead of ten."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.db import connection, transaction

from motcua.agencies.models import Agency
from motcua.core.statements import InsertChain, Sql, assign
from motcua.dossiers import events, notify
from motcua.dossiers.changes import dossier_changed, dossier_mark_rows
from motcua.dossiers.codes import dossier_code_assign, dossier_code_in_statement, dossier_code_parts
from motcua.dossiers.models import Dossier, DossierComponent, DossierFee, DossierFile
from motcua.dossiers.transitions import dossier_transition_recorded
from motcua.dossiers.workflow import Action, DossierStatus
from motcua.notifications.services import notification_deliver_after_commit, notification_delivery_task_row

if TYPE_CHECKING:
    from motcua.accounts.models import User


def writes_in_one_statement() -> bool:
    # Data-modifying CTEs are PostgreSQL's; SQLite (and drafts, which take no code) use the ORM path.
    return connection.vendor == "postgresql"


@dataclass
class SubmissionRows:
    """A new dossier and its children, built (not yet saved) by the code both write paths share."""

    dossier: Dossier
    fees: list[DossierFee] = field(default_factory=list)
    components: list[tuple[DossierComponent, list[DossierFile]]] = field(default_factory=list)

    @property
    def files(self) -> list[DossierFile]:
        return [stored for _, files in self.components for stored in files]


def submission_write_orm(
    rows: SubmissionRows, *, submitted: bool, actor: User | None, actor_role: str, actor_agency: Agency | None
) -> None:
    """The portable path (SQLite, and drafts): the rows through the ORM, in one transaction."""
    with transaction.atomic():
        dossier = rows.dossier
        dossier.save(force_insert=True)
        DossierFee.objects.bulk_create(rows.fees)
        DossierComponent.objects.bulk_create([component for component, _ in rows.components])
        for component, files in rows.components:
            for stored in files:
                stored.component = component
        DossierFile.objects.bulk_create(rows.files)
        if submitted:
            # The code is taken last: the agency's counter row for the day stays locked until commit,
            # and every submission to that agency queues on it, so the lock must be held briefly.
            parts = dossier_code_parts(dossier)
            dossier.code = dossier_code_assign(
                dossier_id=dossier.pk, agency=parts.agency, day=parts.day, marker=parts.marker
            )
            dossier_transition_recorded(
                dossier=dossier,
                action=Action.SUBMIT,
                from_status=DossierStatus.DRAFT,
                actor=actor,
                actor_role=actor_role,
                actor_agency=actor_agency,
            )


# Stands for the dossier's code in the texts built before the statement has taken the number.
_CODE_PLACEHOLDER = "\ue000ma-ho-so\ue000"


def submission_write_in_one_statement(
    rows: SubmissionRows, *, actor: User | None, actor_role: str, actor_agency: Agency | None
) -> None:
    """PostgreSQL: the same rows as ``submission_write_orm`` — dossier with its code, fees, components,
    files, the timeline event, the applicant's messages and their delivery tasks — in one statement,
    so one round trip instead of ten. In autocommit it is its own transaction; the counter row of the
    agency's day is locked only while it runs. A test compares the rows of both paths."""
    dossier = rows.dossier
    parts = dossier_code_parts(dossier)
    chain = InsertChain()
    code = dossier_code_in_statement(chain, agency=parts.agency, day=parts.day, marker=parts.marker)
    assign(dossier, "code", code)
    chain.insert("d", [dossier], returning=("id", "code"))
    dossier_id = Sql("(SELECT id FROM d)")
    chain.substitute(_CODE_PLACEHOLDER, Sql("(SELECT code FROM d)"))
    for fee in rows.fees:
        assign(fee, "dossier_id", dossier_id)
    chain.insert("fees", rows.fees, returning=())
    components = [component for component, _ in rows.components]
    for component in components:
        assign(component, "dossier_id", dossier_id)
    chain.insert("components", components, returning=("id", "catalogue_component_id"))
    for component, files in rows.components:
        for stored in files:
            assign(
                stored,
                "component_id",
                Sql(
                    "(SELECT id FROM components WHERE catalogue_component_id = %s)",
                    (component.catalogue_component_id,),
                ),
            )
    chain.insert("files", rows.files, returning=())
    # The event and the messages are built as the ORM path builds them, with a placeholder for the code
    # (through their modules, so that a test can make either fail).
    dossier.code = _CODE_PLACEHOLDER
    event = events.dossier_event_build(
        dossier=dossier,
        action=Action.SUBMIT,
        actor=actor,
        actor_role=actor_role,
        actor_agency=actor_agency,
        from_status=DossierStatus.DRAFT,
        to_status=dossier.status,
    )
    assign(event, "dossier_id", dossier_id)
    chain.insert("event", [event], returning=())
    messages = notify.dossier_notifications_build(dossier=dossier, action=Action.SUBMIT)
    tasks = []
    # CTE names are ours (message0, message1 …); every value is a parameter.
    message_ids = [f"(SELECT id FROM message{number})" for number in range(len(messages))]  # noqa: S608
    for number, message in enumerate(messages):
        chain.insert(f"message{number}", [message])
        task = notification_delivery_task_row(notification_id=Sql(message_ids[number]))
        if task is not None:
            tasks.append(task)
    chain.insert("tasks", tasks, returning=())
    marks, conflict = dossier_mark_rows()  # the IOC's "rebuild this dossier's fact" (dossiers.changes)
    for mark in marks:
        assign(mark, "dossier_id", dossier_id)
    chain.insert("marks", marks, returning=(), conflict=conflict)
    with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
        # Inside a caller's transaction a savepoint keeps it usable after a duplicate-key error.
        row = chain.execute(" ".join(["SELECT d.id, d.code", *(f", {m}" for m in message_ids), "FROM d"]))
        if not tasks:
            for message_id in row[2:]:
                transaction.on_commit(partial(notification_deliver_after_commit, message_id))
    dossier.pk, dossier.code = row[0], row[1]
    dossier._state.adding = False
    dossier._state.db = connection.alias
    events.events_written()
    # The one statement wrote the event and the mark: the IOC's fact follows it as on the ORM path.
    dossier_changed(dossier.pk, marked=True)
