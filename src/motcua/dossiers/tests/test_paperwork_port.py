"""Dossiers reach forms and results only through the ``Paperwork`` port that the signatures app fills at
start-up; a test installs a fake in its place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.core.errors import ApplicationError
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.paperwork import Paperwork, paperwork, paperwork_set
from motcua.dossiers.tests.conftest import pdf
from motcua.signatures.paperwork import SignaturesPaperwork

pytestmark = pytest.mark.django_db


class _Recorder:
    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    def form_issue(self, *, dossier: Dossier, kind: str, actor: Any) -> Any:
        # Called after the event, in the same transaction: the event is already visible here.
        assert DossierEvent.objects.filter(dossier=dossier, action="refuse_at_intake").exists()
        self.calls.append(("form", kind))
        if self.fail:
            raise ApplicationError("Không lập được mẫu / The form could not be issued.")

    def receipt_issue(self, *, dossier: Dossier, clerk: Any) -> Any:
        self.calls.append(("receipt", dossier.code or ""))

    def result_issue(self, *, dossier: Dossier, clerical_officer: Any, number: str = "") -> str:
        raise AssertionError("not reached in these tests")

    def result_approval_authorise(self, *, dossier: Dossier, leader: Any, credentials: Any) -> None:
        raise AssertionError("not reached in these tests")

    def result_draft_fields(self, *, dossier: Dossier) -> list[dict[str, Any]]:
        return []

    def result_draft_save(self, *, dossier: Dossier, author: Any, values: dict[str, str]) -> dict[str, str]:
        raise AssertionError("not reached in these tests")

    def upload_signature_report(self, content: bytes) -> dict[str, Any]:
        return {}


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    fake = _Recorder()
    previous = paperwork_set(fake)
    yield fake
    paperwork_set(previous)


def _submitted(version: Any, citizen: Any) -> Dossier:
    components = list(version.components.order_by("order"))
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={components[0].pk: [pdf()], components[1].pk: [pdf("b.pdf")]},
        ),
        user=citizen,
    )


def test_the_signatures_app_fills_the_port_at_start_up() -> None:
    implementation: Paperwork = paperwork()
    assert isinstance(implementation, SignaturesPaperwork)


def test_a_refusal_at_intake_issues_form_03_through_the_port(
    recorder: _Recorder, citizen_an: Any, clerk_binh: Any, bulletin_version: Any, frozen: Any
) -> None:
    dossier = _submitted(bulletin_version, citizen_an)
    services.dossier_refuse_at_intake(dossier=dossier, clerk=clerk_binh, reason="Sai thủ tục")
    assert recorder.calls == [("form", "03")]


def test_a_failing_port_rolls_the_whole_action_back(
    recorder: _Recorder, citizen_an: Any, clerk_binh: Any, bulletin_version: Any, frozen: Any
) -> None:
    dossier = _submitted(bulletin_version, citizen_an)
    recorder.fail = True
    with pytest.raises(ApplicationError):
        services.dossier_refuse_at_intake(dossier=dossier, clerk=clerk_binh, reason="Sai thủ tục")
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    assert not dossier.events.filter(action="refuse_at_intake").exists()
