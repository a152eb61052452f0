"""Bad values, repeated claims and forbidden channels are refused with a 4xx and a JSON body on the API and
a message on the desk — never a server error (reliability review F4–F6, security review F3, F9, F10)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.dossiers.events import DossierEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_double_actions import _client, _submitted, _task_id
from motcua.dossiers.workflow import TimelineAction
from motcua.testing.factories import AgencyFactory, StaffFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def processing_code(citizen_an, clerk_binh, bulletin_version, frozen) -> str:  # type: ignore[no-untyped-def]
    code = _submitted(bulletin_version, citizen_an).code
    assert _client(clerk_binh).post(f"/api/v1/dossiers/{code}/receive").status_code == 200
    return str(code)


def _json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_apology_with_a_time_without_offset_is_a_422(processing_code, specialist_chi) -> None:
    answer = _json(
        _client(specialist_chi),
        f"/api/v1/dossiers/{processing_code}/apology",
        {"reason": "Chờ ý kiến", "new_appointment_at": "2030-01-01T10:00:00"},
    )
    assert answer.status_code == 422, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "budget",
    [{"budget_value": 1e300}, {"budget_value": -5}, {"budget_value": 0}, {"budget_unit": "fortnights"}],
)
def test_a_consultation_with_an_impossible_budget_is_a_422(
    processing_code, specialist_chi, commune, budget
) -> None:
    StaffRoleFactory(user=StaffFactory(username="tuvan"), agency=commune, role=Role.SPECIALIST)
    answer = _json(
        _client(specialist_chi),
        f"/api/v1/dossiers/{processing_code}/consultations",
        {"agency": commune.code, "question": "Ý kiến?", **budget},
    )
    assert answer.status_code == 422, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")


def test_a_consultation_with_an_abolished_agency_is_refused(
    processing_code, specialist_chi, province
) -> None:
    abolished = AgencyFactory(
        code="000.00.20.H99", parent=province, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 1, 1)
    )
    StaffRoleFactory(user=StaffFactory(username="cu"), agency=abolished, role=Role.SPECIALIST)
    url = f"/api/v1/dossiers/{processing_code}/consultations"
    answer = _json(_client(specialist_chi), url, {"agency": abolished.code, "question": "Ý kiến?"})
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["extra"] == {"field": "agency"}
    dossier = Dossier.objects.get(code=processing_code)
    assert not dossier.tasks.filter(is_consultation=True).exists()
    page = _client(specialist_chi).post(
        f"/mot-cua/ho-so/{processing_code}/consult/",
        {"agency": abolished.code, "question": "Ý kiến?", "budget_value": "2"},
        follow=True,
    )
    assert len(list(page.context["messages"])) == 1
    assert not dossier.tasks.filter(is_consultation=True).exists()


def test_a_consultation_with_an_agency_without_a_specialist_is_refused(
    processing_code, specialist_chi, commune
) -> None:
    url = f"/api/v1/dossiers/{processing_code}/consultations"
    answer = _json(_client(specialist_chi), url, {"agency": commune.code, "question": "Ý kiến?"})
    assert answer.status_code == 400, answer.content[:300]
    assert not Dossier.objects.get(code=processing_code).tasks.filter(is_consultation=True).exists()


def test_a_consultation_with_an_agency_in_force_and_a_specialist_is_opened(
    processing_code, specialist_chi, commune
) -> None:
    StaffRoleFactory(user=StaffFactory(username="tuvan"), agency=commune, role=Role.SPECIALIST)
    url = f"/api/v1/dossiers/{processing_code}/consultations"
    answer = _json(_client(specialist_chi), url, {"agency": commune.code, "question": "Ý kiến?"})
    assert answer.status_code == 200, answer.content[:300]


def test_claiming_a_step_twice_records_one_claim(processing_code, specialist_chi) -> None:
    client = _client(specialist_chi)
    url = f"/api/v1/dossiers/{processing_code}/tasks/{_task_id(processing_code)}/claim"
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    claims = DossierEvent.objects.filter(dossier__code=processing_code, action=TimelineAction.CLAIM)
    assert claims.count() == 1


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("claim", {"task": "abc"}),
        ("assign", {"task": "{task}", "assignee": "x"}),
        ("assign", {"task": "1e9", "assignee": "{chi}"}),
        ("complete", {"task": "²"}),
        ("consult", {"agency": "000.00.31.H99", "question": "?", "budget_value": "abc"}),
        ("consult", {"agency": "000.00.31.H99", "question": "?", "budget_value": "1e400"}),
        ("consult", {"agency": "000.00.31.H99", "question": "?", "budget_value": "NaN"}),
        ("apology", {"reason": "x", "new_appointment_at": "hôm qua"}),
    ],
)
def test_a_desk_action_with_a_value_that_is_not_a_number_shows_a_message(
    processing_code, specialist_chi, leader_dung, action, fields
) -> None:
    user = leader_dung if action == "assign" else specialist_chi
    values = {
        k: v.replace("{task}", str(_task_id(processing_code))).replace("{chi}", str(specialist_chi.pk))
        for k, v in fields.items()
    }
    page = Client(raise_request_exception=False)
    page.force_login(user)
    answer = page.post(f"/mot-cua/ho-so/{processing_code}/{action}/", values, follow=True)
    assert answer.status_code == 200, answer.status_code
    assert len(list(answer.context["messages"])) == 1


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def test_a_submission_with_deeply_nested_form_data_is_refused(citizen_an, bulletin_version, frozen) -> None:
    local_code = bulletin_version.procedure.local_code
    body = f'{{"procedure":"{local_code}","applicant":{{"name":"An","id_number":"001090012345"}},"form_data":'
    body += _nested(5000) + "}"
    answer = _client(citizen_an).post("/api/v1/dossiers", body, content_type="application/json")
    assert answer.status_code in (400, 422), answer.status_code
    assert answer["Content-Type"].startswith("application/json")
    assert not Dossier.objects.exists()


def test_a_submission_with_too_much_form_data_is_refused(citizen_an, bulletin_version, frozen) -> None:
    body = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "An", "id_number": "001090012345"},
        "form_data": {f"field_{i}": "x" * 1000 for i in range(300)},
    }
    answer = _json(_client(citizen_an), "/api/v1/dossiers", body)
    assert answer.status_code in (400, 422), answer.status_code
    assert "form_data" in json.dumps(answer.json()["extra"])
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("channel", ["counter", "post"])
def test_a_citizen_cannot_declare_a_dossier_received_at_the_counter_or_by_post(
    citizen_an, bulletin_version, frozen, channel
) -> None:
    body = {
        "procedure": bulletin_version.procedure.local_code,
        "applicant": {"name": "An", "id_number": "001090012345"},
        "channel": channel,
    }
    answer = _json(_client(citizen_an), "/api/v1/dossiers", body)
    assert answer.status_code == 403, answer.content[:300]
    assert answer.json()["extra"] == {"field": "channel"}
    assert not Dossier.objects.exists()


def test_an_applicant_sees_the_public_timeline_without_staff_names_or_notes(
    processing_code, citizen_an, specialist_chi
) -> None:
    task = _task_id(processing_code)
    staff = _client(specialist_chi)
    staff.post(f"/api/v1/dossiers/{processing_code}/tasks/{task}/claim")
    _json(staff, f"/api/v1/dossiers/{processing_code}/tasks/{task}/complete", {"note": "Ghi chú nội bộ"})
    mine = _client(citizen_an).get(f"/api/v1/dossiers/{processing_code}")
    assert mine.status_code == 200
    assert {t["assignee"] for t in mine.json()["tasks"]} == {None}
    assert "Ghi chú nội bộ" not in {e["reason"] for e in mine.json()["events"]}
    assert "step_complete" not in {e["action"] for e in mine.json()["events"]}
    assert {"submit", "receive"} <= {e["action"] for e in mine.json()["events"]}
    full = staff.get(f"/api/v1/dossiers/{processing_code}")
    assert "Ghi chú nội bộ" in {e["reason"] for e in full.json()["events"]}
    assert "chi" in {t["assignee"] for t in full.json()["tasks"]}
