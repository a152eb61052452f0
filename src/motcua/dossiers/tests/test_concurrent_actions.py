"""Every staff action sent twice at the same instant through the API (PostgreSQL, real threads): one
wins, the loser gets a 409 with the JSON error body — never a 500 or a deadlock (reliability review F4–F6)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from motcua.core.testing import run_concurrently
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_double_actions import _submitted, _task_id

pytestmark = pytest.mark.django_db(transaction=True)

# action: (persona, path after /api/v1/dossiers/{code}, JSON body, the state the dossier must be in)
ACTIONS: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "receive": ("clerk", "/receive", {}, "submitted"),
    "intake-supplement": ("clerk", "/intake-supplement", {"items": ["Bản sao"]}, "submitted"),
    "refuse": ("clerk", "/refuse", {"reason": "Không thuộc thẩm quyền"}, "submitted"),
    "claim": ("specialist", "/tasks/{task}/claim", {}, "processing"),
    "complete": ("specialist", "/tasks/{task}/complete", {"note": "Đủ"}, "processing"),
    "supplement-request": ("specialist", "/supplement-request", {"items": ["Mẫu"]}, "processing"),
    "propose-refusal": ("specialist", "/propose-refusal", {"reason": "Không đủ"}, "processing"),
    "payment-request": ("specialist", "/payment-request", {"items": ["Lệ phí"]}, "processing"),
    "stop": ("leader", "/stop", {"reason": "Giả mạo giấy tờ"}, "processing"),
    "approve": ("leader", "/tasks/{task}/complete", {}, "pending_approval"),
    "send-back": ("leader", "/send-back", {"reason": "Thẩm định lại"}, "pending_approval"),
    "issue": ("clerical", "/tasks/{task}/complete", {}, "approved"),
    "return": ("clerk", "/return", {"method": "counter", "recipient": "An"}, "issued"),
}


@pytest.fixture
def people(citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, settings, tmp_path):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (SQLite serialises writers)")
    settings.MEDIA_ROOT = tmp_path
    return {
        "citizen": citizen_an,
        "clerk": clerk_binh,
        "specialist": specialist_chi,
        "leader": leader_dung,
        "clerical": clerical_em,
    }


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _post(client: Client, code: str, path: str, body: dict[str, Any]) -> Any:
    url = f"/api/v1/dossiers/{code}" + path.replace("{task}", str(_task_id(code)))
    return client.post(url, body, content_type="application/json")


def _dossier_in(state: str, people: dict[str, Any], version: Any) -> str:
    """A dossier brought to ``state`` one action after the other."""
    code = str(_submitted(version, people["citizen"]).code)
    steps = [
        ("processing", "clerk", "/receive", {}),
        ("processing", "specialist", "/tasks/{task}/claim", {}),
        ("pending_approval", "specialist", "/tasks/{task}/complete", {}),
        ("approved", "leader", "/tasks/{task}/complete", {}),
        ("issued", "clerical", "/tasks/{task}/complete", {}),
    ]
    order = ["submitted", "processing", "pending_approval", "approved", "issued"]
    for reached, persona, path, body in steps:
        if order.index(reached) > order.index(state):
            break
        answer = _post(_client(people[persona]), code, path, body)
        assert answer.status_code == 200, (path, answer.content[:300])
    assert Dossier.objects.get(code=code).status == state
    return code


def _twice_at_once(calls: list[tuple[Client, str, str, dict[str, Any]]]) -> list[Any]:
    answers: list[Any] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        answer = _post(*calls[index])
        with lock:
            answers.append(answer)

    assert not run_concurrently(worker, threads=len(calls))
    return answers


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_same_staff_action_twice_at_once_has_one_winner_and_a_409(
    people, bulletin_version, frozen, action
) -> None:
    persona, path, body, state = ACTIONS[action]
    code = _dossier_in(state, people, bulletin_version)
    clients = [_client(people[persona]), _client(people[persona])]
    answers = _twice_at_once([(c, code, path, body) for c in clients])
    for answer in answers:
        assert answer.status_code < 500, (action, answer.content[:300])
        assert answer["Content-Type"].startswith("application/json"), action
    codes = sorted(a.status_code for a in answers)
    if action == "claim":
        # The same person claiming twice: both answer the claimed step, one event is recorded.
        assert codes == [200, 200]
        assert Dossier.objects.get(code=code).events.filter(action="claim").count() == 1
    else:
        assert codes == [200, 409], (action, [a.content[:200] for a in answers])
        assert next(a for a in answers if a.status_code == 409).json()["message"]


def test_approve_and_send_back_at_once_never_deadlock(people, bulletin_version, frozen) -> None:
    leader = people["leader"]
    for _ in range(5):
        code = _dossier_in("pending_approval", people, bulletin_version)
        answers = _twice_at_once(
            [
                (_client(leader), code, "/tasks/{task}/complete", {}),
                (_client(leader), code, "/send-back", {"reason": "Thẩm định lại"}),
            ]
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.content[:200] for a in answers]
        dossier = Dossier.objects.get(code=code)
        assert dossier.status in ("approved", "processing")
        assert dossier.tasks.filter(status="active", is_consultation=False).count() == 1
