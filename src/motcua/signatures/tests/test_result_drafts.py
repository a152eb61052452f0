"""The specialist drafts the result's variable content during appraisal; the leader sees it before
approving; the issued result prints it, never the applicant's request (issue 9 point 6)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers import processing
from motcua.dossiers.models import Dossier, DossierEvent, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials
from motcua.signatures.models import IssuedDocument, ResultDraft
from motcua.testing.journeys import bulletin_received, staff_api_key

pytestmark = pytest.mark.django_db
DRAFT = {
    "content": "Xuất bản Bản tin Thông tin Minh Sơn; 01 kỳ/tháng; 08 trang; 500 bản/kỳ",
    "scope": "Phát hành trên địa bàn tỉnh Minh Sơn",
    "validity": "Đến hết ngày 31/12/2027",
}


def _received(version, citizen, clerk) -> Dossier:  # type: ignore[no-untyped-def]
    return bulletin_received(
        version, citizen, clerk, summary="Xin cấp giấy phép xuất bản Bản tin Thông tin Minh Sơn"
    )


def _active(dossier: Dossier) -> Any:
    return dossier.tasks.get(status=TaskStatus.ACTIVE, is_consultation=False)


def _put(dossier: Dossier, user: Any, values: dict[str, Any]) -> Any:
    key = staff_api_key(user)
    return Client().put(
        f"/api/v1/dossiers/{dossier.code}/result-draft",
        json.dumps({"values": values}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


@pytest.fixture
def licence(bulletin_version):  # type: ignore[no-untyped-def]
    bulletin_version.result_type = "licence"
    bulletin_version.result_name = "Giấy phép xuất bản bản tin"
    bulletin_version.save()
    return bulletin_version


def test_only_the_specialist_of_the_active_step_saves_the_draft(
    licence, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, frozen
) -> None:
    dossier = _received(licence, citizen_an, clerk_binh)
    for outsider in (clerk_binh, leader_dung, clerical_em):
        assert _put(dossier, outsider, DRAFT).status_code == 403
    response = _put(dossier, specialist_chi, DRAFT)
    assert response.status_code == 200, response.content
    assert {f["name"]: f["value"] for f in response.json()["fields"]} == DRAFT
    assert ResultDraft.objects.get(dossier=dossier).values == DRAFT
    event = DossierEvent.objects.get(dossier=dossier, action="result_draft")
    assert (event.actor, event.data["values"]) == (specialist_chi, DRAFT)
    # Validated on the server: a required field, unknown fields, length.
    bad = _put(dossier, specialist_chi, {"content": " ", "colour": "đỏ", "validity": "x" * 300})
    assert bad.status_code == 400
    assert set(bad.json()["extra"]["fields"]) == {"content", "colour", "validity"}
    assert ResultDraft.objects.get(dossier=dossier).values == DRAFT
    assert DossierEvent.objects.filter(dossier=dossier, action="result_draft").count() == 1
    # Once forwarded for approval, the draft is frozen for the specialist too (a 409 conflict).
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    assert _put(dossier, specialist_chi, {**DRAFT, "content": "khác"}).status_code == 409


def test_the_desk_form_saves_the_draft_and_the_leader_sees_it_before_approving(
    licence, citizen_an, clerk_binh, specialist_chi, leader_dung, frozen, tmp_path
) -> None:
    dossier = _received(licence, citizen_an, clerk_binh)
    chi = Client()
    chi.force_login(specialist_chi)
    page = chi.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert 'name="scope"' in page
    assert "Nội dung được cấp phép" in page
    chi.post(f"/mot-cua/ho-so/{dossier.code}/result_draft/", DRAFT)
    assert ResultDraft.objects.get(dossier=dossier).values == DRAFT
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    dung = Client()
    dung.force_login(leader_dung)
    desk = dung.get(f"/mot-cua/ho-so/{dossier.code}/").content.decode()
    assert DRAFT["scope"] in desk
    assert f"/mot-cua/ky-so/{dossier.code}/du-thao.pdf" in desk
    queue = dung.get("/mot-cua/ky-so/").content.decode()
    assert "Xuất bản Bản tin Thông tin Minh Sơn; 01 kỳ/tháng" in queue
    preview = dung.get(f"/mot-cua/ky-so/{dossier.code}/du-thao.pdf").content
    text = _pdftext(preview, tmp_path / "du-thao.pdf")
    assert "Phát hành trên địa bàn tỉnh Minh Sơn" in text


def _pdftext(content: bytes, path: Path) -> str:
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_issued_licence_prints_the_draft_and_not_the_request(
    signing, licence, citizen_an, clerk_binh, specialist_chi, leader_dung, clerical_em, tmp_path
) -> None:
    dossier = _received(licence, citizen_an, clerk_binh)
    processing.result_draft_save(dossier=dossier, specialist=specialist_chi, values=DRAFT)
    processing.task_complete(task=_active(dossier), user=specialist_chi)
    processing.task_complete(
        task=_active(dossier), user=leader_dung, credentials=SigningCredentials(password="motcua-test-pass")
    )
    processing.task_complete(task=_active(dossier), user=clerical_em)
    document = IssuedDocument.objects.get(dossier=dossier, kind="result")
    text = " ".join(_pdftext(document.file.read(), tmp_path / "kq.pdf").split())
    assert "Xin cấp" not in text
    assert "Nội dung: Xuất bản Bản tin Thông tin Minh Sơn; 01 kỳ/tháng; 08 trang; 500 bản/kỳ" in text
    assert "Phạm vi: Phát hành trên địa bàn tỉnh Minh Sơn" in text
    assert "Thời hạn hiệu lực: Đến hết ngày 31/12/2027" in text


def test_without_a_draft_the_result_names_what_is_granted_never_the_request(
    licence, citizen_an, clerk_binh
) -> None:
    from motcua.signatures.results import result_data

    dossier = _received(licence, citizen_an, clerk_binh)
    data = result_data(dossier, approver=None)
    printed = json.dumps(data, ensure_ascii=False)
    assert "Xin cấp" not in printed
    assert {"label": "Nội dung", "value": "Giấy phép xuất bản bản tin"} in data["fields"]


def test_a_decision_draft_becomes_its_articles(
    bulletin_version, citizen_an, clerk_binh, specialist_chi
) -> None:
    from motcua.signatures.results import result_data

    bulletin_version.result_type = "decision"
    bulletin_version.save()
    dossier = _received(bulletin_version, citizen_an, clerk_binh)
    processing.result_draft_save(
        dossier=dossier,
        specialist=specialist_chi,
        values={
            "content": "Cho phép Nguyễn Văn An xuất bản Bản tin Thông tin Minh Sơn.",
            "articles": "Bản tin phát hành 01 kỳ/tháng.\n\nBản tin không được phát hành rộng rãi.",
        },
    )
    articles = result_data(dossier, approver=None)["articles"]
    assert [a["heading"] for a in articles] == ["Điều 1.", "Điều 2.", "Điều 3.", "Điều 4.", "Điều 5."]
    assert articles[0]["text"] == "Cho phép Nguyễn Văn An xuất bản Bản tin Thông tin Minh Sơn."
    assert articles[2]["text"] == "Bản tin không được phát hành rộng rãi."
    assert "Xin cấp" not in json.dumps(articles, ensure_ascii=False)
