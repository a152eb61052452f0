"""Every staff action sent twice and out of order, through the API and through the web desk, is refused
with a message — never a server error. A repeated transition is a 409 with the JSON error body."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import VN, pdf

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _submitted(version: Any, citizen: Any) -> Dossier:
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(
                name="Nguyễn Văn An", id_number="001090012345", phone="0912345678"
            ),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def _task_id(code: str) -> int:
    dossier = Dossier.objects.get(code=code)
    task = dossier.tasks.filter(status="active").order_by("order", "pk").first() or dossier.tasks.first()
    return task.pk if task is not None else 0


LATER = dt.datetime(2025, 12, 31, 10, 0, tzinfo=VN).isoformat()

# action: (persona, path after /api/v1/dossiers/{code}, JSON body or None for multipart)
API_ACTIONS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "receive": ("clerk", "/receive", {}),
    "intake-supplement": ("clerk", "/intake-supplement", {"items": ["Bản sao giấy phép"]}),
    "refuse": ("clerk", "/refuse", {"reason": "Không thuộc thẩm quyền"}),
    "supplement-request": ("specialist", "/supplement-request", {"items": ["Mẫu trình bày"]}),
    "supply": ("clerk", "/supply", None),
    "claim": ("specialist", "/tasks/{task}/claim", {}),
    "assign": ("leader", "/tasks/{task}/assign", {"assignee": "chi"}),
    "complete": ("specialist", "/tasks/{task}/complete", {"note": "Đủ điều kiện"}),
    "approve": ("leader", "/tasks/{task}/complete", {}),
    "issue": ("clerical", "/tasks/{task}/complete", {}),
    "send-back": ("leader", "/send-back", {"reason": "Thẩm định lại"}),
    "propose-refusal": ("specialist", "/propose-refusal", {"reason": "Không đủ điều kiện"}),
    "consultations": ("specialist", "/consultations", {"agency": "000.00.31.H99", "question": "Ý kiến?"}),
    "apology": ("specialist", "/apology", {"reason": "Chờ ý kiến", "new_appointment_at": LATER}),
    "payment-request": ("specialist", "/payment-request", {"items": ["Lệ phí"]}),
    "payment-confirm": ("clerk", "/payment-confirm", {"reference": "BL-1"}),
    "stop": ("leader", "/stop", {"reason": "Giả mạo giấy tờ"}),
    "return": ("clerk", "/return", {"method": "counter", "recipient": "Nguyễn Văn An"}),
    "withdraw": ("citizen", "/withdraw", {"reason": "Không cần nữa"}),
}

# The same actions on the staff desk (form fields as the page posts them); supply and withdrawal are the
# applicant's own pages.
WEB_ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "receive": ("clerk", {}),
    "intake_supplement": ("clerk", {"items": "Bản sao giấy phép"}),
    "refuse": ("clerk", {"reason": "Không thuộc thẩm quyền"}),
    "supplement_request": ("specialist", {"items": "Mẫu trình bày"}),
    "claim": ("specialist", {"task": "{task}"}),
    "assign": ("leader", {"task": "{task}", "assignee": "{chi}"}),
    "complete": ("specialist", {"task": "{task}", "note": "Đủ điều kiện"}),
    "approve": ("leader", {"task": "{task}"}),
    "issue": ("clerical", {"task": "{task}"}),
    "send_back": ("leader", {"reason": "Thẩm định lại"}),
    "propose_refusal": ("specialist", {"reason": "Không đủ điều kiện"}),
    "consult": ("specialist", {"agency": "000.00.31.H99", "question": "Ý kiến?", "budget_value": "x"}),
    "apology": ("specialist", {"reason": "Chờ ý kiến", "new_appointment_at": "2025-12-31T10:00"}),
    "payment_request": ("specialist", {"items": "Lệ phí"}),
    "payment_confirm": ("clerk", {"reference": "BL-1"}),
    "stop": ("leader", {"reason": "Giả mạo giấy tờ"}),
    "return": ("clerk", {"method": "counter", "recipient": "Nguyễn Văn An"}),
    "supply": ("citizen", {"note": "Đã bổ sung"}),
    "withdraw": ("citizen", {"reason": "Không cần nữa"}),
}


@pytest.fixture
def people(citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "citizen": citizen_an,
        "clerk": clerk_binh,
        "specialist": specialist_chi,
        "leader": leader_dung,
        "clerical": clerical_em,
    }


def _api_send(clients: dict[str, Client], code: str, action: str) -> Any:
    persona, path, body = API_ACTIONS[action]
    url = f"/api/v1/dossiers/{code}" + path.replace("{task}", str(_task_id(code)))
    if body is None:
        return clients[persona].post(url, {"note": "Đã bổ sung"})
    return clients[persona].post(url, body, content_type="application/json")


def _orders(names: list[str]) -> list[list[str]]:
    """In order, in reverse, and interleaved from both ends: each action twice in a row."""
    interleaved = [n for pair in zip(names, reversed(names), strict=True) for n in pair]
    return [[n for n in order for _ in range(2)] for order in (names, names[::-1], interleaved)]


def test_a_clerk_receiving_twice_gets_a_409_json_answer(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    code = _submitted(bulletin_version, citizen_an).code
    clerk = _client(clerk_binh)
    assert clerk.post(f"/api/v1/dossiers/{code}/receive").status_code == 200
    again = clerk.post(f"/api/v1/dossiers/{code}/receive")
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/json")
    body = again.json()
    assert body["message"]
    assert body["extra"] == {"action": "receive", "status": "processing", "actor": "one_stop_clerk"}


def test_every_api_action_twice_and_out_of_order_never_answers_a_server_error(
    people, bulletin_version, frozen
) -> None:
    clients = {name: _client(user) for name, user in people.items()}
    for order in _orders(list(API_ACTIONS)):
        code = _submitted(bulletin_version, people["citizen"]).code
        previous: tuple[str, int] | None = None
        for action in order:
            response = _api_send(clients, code, action)
            assert response.status_code < 500, (action, response.content[:300])
            assert response["Content-Type"].startswith("application/json"), action
            if previous == (action, 200) and action in {"receive", "refuse", "return", "withdraw", "stop"}:
                # The same transition again: the state has moved on, so a conflict.
                assert response.status_code == 409, (action, response.content[:300])
            previous = (action, response.status_code)


def _web_send(clients: dict[str, Client], people: dict[str, Any], code: str, action: str) -> Any:
    persona, form = WEB_ACTIONS[action]
    fields = {
        k: v.replace("{task}", str(_task_id(code))).replace("{chi}", str(people["specialist"].pk))
        for k, v in form.items()
    }
    # Followed to the page, which shows (and so consumes) the action's message.
    if action in ("approve", "issue"):
        return clients[persona].post(f"/mot-cua/ho-so/{code}/complete/", fields, follow=True)
    if action == "supply":
        return clients[persona].post(f"/ho-so/{code}/bo-sung/", fields, follow=True)
    if action == "withdraw":
        return clients[persona].post(f"/ho-so/{code}/rut/", fields, follow=True)
    return clients[persona].post(f"/mot-cua/ho-so/{code}/{action}/", fields, follow=True)


def test_every_desk_action_twice_and_out_of_order_shows_a_message_never_a_server_error(
    people, bulletin_version, frozen
) -> None:
    clients = {name: _client(user) for name, user in people.items()}
    for order in _orders(list(WEB_ACTIONS)):
        code = _submitted(bulletin_version, people["citizen"]).code
        for action in order:
            response = _web_send(clients, people, code, action)
            assert response.redirect_chain, action
            assert response.status_code == 200, (action, response.status_code)
            shown = [str(m) for m in response.context["messages"]]
            assert len(shown) == 1, (action, shown)


def test_a_desk_action_repeated_shows_why_it_was_refused(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    code = _submitted(bulletin_version, citizen_an).code
    clerk = _client(clerk_binh)
    assert clerk.post(f"/mot-cua/ho-so/{code}/receive/", follow=True).status_code == 200
    again = clerk.post(f"/mot-cua/ho-so/{code}/receive/", follow=True)
    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == [
        "Thao tác không hợp lệ ở trạng thái hiện tại của hồ sơ."
    ]


def test_service_messages_are_translated_for_an_english_caller(
    citizen_an, clerk_binh, bulletin_version, frozen
) -> None:
    code = _submitted(bulletin_version, citizen_an).code
    clerk = _client(clerk_binh)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    # The locale middleware leaves the language it activated on this thread: give it back afterwards.
    with translation.override(settings.LANGUAGE_CODE):
        url = f"/api/v1/dossiers/{code}/refuse"
        refused = clerk.post(url, {"reason": " "}, "application/json", **english)
        assert refused.status_code == 400
        assert refused.json()["message"] == "Give the reason for refusal."
        vietnamese = clerk.post(url, {"reason": " "}, "application/json")
        assert vietnamese.json()["message"] == "Vui lòng nêu lý do từ chối."
        clerk.post(f"/api/v1/dossiers/{code}/receive")
        again = clerk.post(f"/api/v1/dossiers/{code}/receive", **english)
        assert again.status_code == 409
        assert "Thao tác" not in again.json()["message"]
