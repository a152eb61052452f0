"""core.statements.InsertChain: several INSERTs as one PostgreSQL statement, from unsaved model instances."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.expressions import DatabaseDefault
from django.test.utils import CaptureQueriesContext

from motcua.core.statements import InsertChain, Sql, assign
from motcua.notifications.models import Notification

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="data-modifying CTEs are PostgreSQL's"),
]


def test_parts_see_each_other_and_placeholders_are_replaced_in_one_statement() -> None:
    chain = InsertChain()
    chain.with_query("n", "SELECT %s::text AS code", ["HS-0007"])
    chain.substitute("{code}", Sql("(SELECT code FROM n)"))
    first = Notification(
        channel="sms", recipient="0912345678", body="Hồ sơ {code} đã nộp", dossier_code="{code}"
    )
    second = Notification(channel="email", recipient="an@example.org", body="Không có mã", subject="{code}")
    chain.insert("messages", [first, second], returning=("id", "channel"))
    with CaptureQueriesContext(connection) as queries:
        row = chain.execute("SELECT count(*), min(id) FROM messages")
    assert len(queries) == 1
    assert row[0] == 2
    saved = {n.channel: n for n in Notification.objects.order_by("channel")}
    assert saved["sms"].body == "Hồ sơ HS-0007 đã nộp"
    assert saved["sms"].dossier_code == "HS-0007"
    assert saved["email"].subject == "HS-0007"
    # Defaults and auto_now_add come from the fields, as with Model.save().
    assert saved["sms"].status == "pending"
    assert saved["sms"].created_at is not None
    assert row[1] == min(n.pk for n in saved.values())


def test_a_value_given_as_sql_is_computed_by_the_statement() -> None:
    chain = InsertChain()
    message = Notification(channel="sms", recipient="0912345678", body="x")
    assign(message, "body", Sql("upper(%s) || '!'", ("xin chào",)))
    chain.insert("m", [message])
    (message_id,) = chain.execute("SELECT id FROM m")
    assert Notification.objects.get(pk=message_id).body == "XIN CHÀO!"


def test_a_database_default_is_left_to_the_database() -> None:
    chain = InsertChain()
    message = Notification(
        channel="sms", recipient="0912345678", body="x", last_error=DatabaseDefault(Value(""))
    )
    chain.insert("m", [message])
    sql, params = chain.sql("SELECT id FROM m")
    values = sql[sql.index("VALUES") :]
    assert "DEFAULT" in values
    assert len(params) == values.count("%s")


def test_a_failing_part_writes_nothing() -> None:
    chain = InsertChain()
    chain.insert("ok", [Notification(channel="sms", recipient="0912345678", body="a")])
    chain.insert("too_long", [Notification(channel="sms", recipient="9" * 300, body="b")])
    with pytest.raises(Exception, match="too long"), transaction.atomic():
        chain.execute("SELECT 1")
    assert not Notification.objects.exists()
