"""Demo dossiers in every state, made through the same services people use (so the timeline is real)."""

from __future__ import annotations

import functools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User
from motcua.catalog.models import Channel
from motcua.catalog.selectors import procedure_version_for_submission
from motcua.core.env import env_str
from motcua.dossiers import processing, services
from motcua.dossiers.models import Dossier, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials


@functools.cache
def _demo_pdf(title: str, applicant: str) -> bytes:
    """A one-page A4 PDF/A standing for a citizen's scanned paper, named after the component: a clerk or
    the citizen who opens a demo upload reads what it stands for (an empty page read as broken)."""
    import typst

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    source = (
        '#set page(paper: "a4", margin: 25mm)\n'
        '#set text(font: "Liberation Serif", size: 13pt, lang: "vi")\n'
        '#align(center)[#text(weight: "bold")[CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM] \\ '
        "Độc lập - Tự do - Hạnh phúc]\n"
        "#v(12mm)\n"
        f'#align(center)[#text(size: 16pt, weight: "bold")[#{quoted(title.upper())}]]\n'
        "#v(8mm)\n"
        f"Người nộp: #{quoted(applicant)}\n\n"
        "#v(8mm)\n"
        '#text(style: "italic")[Tài liệu minh họa của hệ thống thử nghiệm Một Cửa — '
        "không có giá trị pháp lý. "
        "Demo document of the Một Cửa test system — no legal value.]\n"
    )
    return bytes(typst.compile(source.encode(), pdf_standards=["a-2b"]))


BULLETIN = "1.009374.000.00.00.H99"
MARITAL = "1.004873.000.00.00.H99"


def _pdf(name: str, title: str, applicant: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _demo_pdf(title, applicant), content_type="application/pdf")


def _submit(local_code: str, citizen: User, summary: str) -> Dossier:
    version = procedure_version_for_submission(local_code=local_code)
    files = {
        c.pk: [_pdf(f"{c.pk}.pdf", c.name, citizen.full_name)] for c in version.components.all() if c.required
    }
    return services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            summary=f"[demo] {summary}",
            applicant=services.ApplicantData(
                name=citizen.full_name,
                id_number=citizen.national_id,
                phone=citizen.phone,
                email=citizen.email,
            ),
            channel=Channel.ONLINE,
            files=files,
            sms_consent=True,  # the demo citizen ticked the SMS box, so var/sms.log shows the messages
        ),
        user=citizen,
    )


def _active(dossier: Dossier) -> Any:
    return dossier.tasks.filter(status=TaskStatus.ACTIVE, is_consultation=False).first()


BULLETIN_DRAFT = {
    "content": "Xuất bản Bản tin Thông tin Minh Sơn; kỳ hạn xuất bản 01 kỳ/tháng; khuôn khổ 19 x 27 cm; "
    "08 trang; số lượng 500 bản/kỳ; tiếng Việt",
    "scope": "Phát hành trên địa bàn tỉnh Minh Sơn, không phát hành rộng rãi ra ngoài cơ quan, tổ chức",
    "validity": "Đến hết ngày 31/12/2027",
}


def _appraised(dossier: Dossier, specialist: User) -> None:
    """The specialist drafts the licence, then forwards the dossier for approval."""
    processing.result_draft_save(dossier=dossier, specialist=specialist, values=BULLETIN_DRAFT)
    processing.task_complete(task=_active(dossier), user=specialist, note="Đủ điều kiện")


def load_demo_dossiers() -> int:
    """Idempotent: does nothing when the demo citizen already has dossiers."""
    users = {
        u.username: u for u in User.objects.filter(username__in=["an", "lan", "binh", "chi", "dung", "em"])
    }
    if len(users) < 6 or Dossier.objects.filter(summary__startswith="[demo]").exists():
        return 0
    an, lan, binh, chi, dung, em = (users[k] for k in ["an", "lan", "binh", "chi", "dung", "em"])
    # The leader approves as on the desk: authorising the personal signature with the password (F1).
    dung_signs = SigningCredentials(password=env_str("MOTCUA_DEMO_PASSWORD", "motcua-demo-2026"))
    _submit(BULLETIN, an, "Bản tin mới nộp, chờ tiếp nhận")
    waiting = _submit(BULLETIN, lan, "Bản tin cần bổ sung khi tiếp nhận")
    services.dossier_request_intake_supplement(
        dossier=waiting, clerk=binh, items=["Bổ sung sơ yếu lý lịch có xác nhận"]
    )
    refused = _submit(BULLETIN, lan, "Bản tin bị từ chối tiếp nhận")
    services.dossier_refuse_at_intake(
        dossier=refused, clerk=binh, reason="Tổ chức không thuộc đối tượng được cấp phép"
    )
    processing_one = services.dossier_receive(dossier=_submit(BULLETIN, an, "Bản tin đang xử lý"), clerk=binh)
    processing.task_claim(task=_active(processing_one), user=chi)
    supplement = services.dossier_receive(dossier=_submit(BULLETIN, an, "Bản tin chờ bổ sung"), clerk=binh)
    services.dossier_request_supplement(dossier=supplement, officer=chi, items=["Mẫu măng-sét có chữ ký"])
    pending = services.dossier_receive(dossier=_submit(BULLETIN, lan, "Bản tin chờ phê duyệt"), clerk=binh)
    _appraised(pending, chi)
    approved = services.dossier_receive(dossier=_submit(BULLETIN, an, "Bản tin đã phê duyệt"), clerk=binh)
    _appraised(approved, chi)
    processing.task_complete(task=_active(approved), user=dung, credentials=dung_signs)
    for i, state in enumerate(["issued", "returned"]):
        dossier = services.dossier_receive(dossier=_submit(BULLETIN, an, f"Bản tin {state}"), clerk=binh)
        _appraised(dossier, chi)
        processing.task_complete(task=_active(dossier), user=dung, credentials=dung_signs)
        processing.task_complete(task=_active(dossier), user=em, result_number=f"{20 + i}/GP-SVHTTDL")
        if state == "returned":
            services.dossier_return_result(
                dossier=dossier, clerk=binh, method="online", recipient=an.full_name
            )
    withdrawn = _submit(MARITAL, lan, "Xác nhận tình trạng hôn nhân, đã rút")
    services.dossier_withdraw(dossier=withdrawn, user=lan, reason="Nộp nhầm thủ tục")
    return Dossier.objects.filter(summary__startswith="[demo]").count()
