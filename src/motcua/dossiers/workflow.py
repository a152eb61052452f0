"""The dossier life-cycle as data plus pure functions (no database).

States are finer than the national codes; ``national_status_code`` maps them through the
``StatusCodeMapping`` table (law as data), with ``DEFAULT_NATIONAL_CODES`` as the seed taken from
domain-vn.md §1.6 (DVCQG ``TrangThaiHoSo`` 1–10).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ConflictError


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Mới đăng ký")
    INTAKE_SUPPLEMENT = "intake_supplement", _("Yêu cầu bổ sung khi tiếp nhận")
    REFUSED_AT_INTAKE = "refused_at_intake", _("Không được tiếp nhận")
    RECEIVED = "received", _("Được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Yêu cầu bổ sung giấy tờ")
    AWAITING_PAYMENT = "awaiting_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    PENDING_APPROVAL = "pending_approval", _("Chờ phê duyệt")
    REFUSAL_PROPOSED = "refusal_proposed", _("Đề xuất từ chối")
    APPROVED = "approved", _("Đã phê duyệt")
    ISSUED = "issued", _("Đã xử lý xong")
    REFUSED = "refused", _("Từ chối giải quyết")
    RETURNED = "returned", _("Đã trả kết quả")
    WITHDRAWN = "withdrawn", _("Công dân yêu cầu rút hồ sơ")
    STOPPED = "stopped", _("Dừng xử lý")


S = DossierStatus

# Seed for the StatusCodeMapping table (domain-vn.md §1.6, DVCQG TrangThaiHoSo).
DEFAULT_NATIONAL_CODES: dict[str, int] = {
    S.DRAFT: 0,
    S.SUBMITTED: 1,
    # Not 5: before receipt there is no NgayTiepNhan, and a 5 here would be counted by the national index
    # as a supplement request during processing (a second one makes the dossier late). The national
    # status stays 1 until the dossier is received (legal-review.md 1.2).
    S.INTAKE_SUPPLEMENT: 1,
    S.REFUSED_AT_INTAKE: 3,
    S.RECEIVED: 2,
    S.PROCESSING: 4,
    S.AWAITING_SUPPLEMENT: 5,
    S.AWAITING_PAYMENT: 6,
    S.PENDING_APPROVAL: 4,
    S.REFUSAL_PROPOSED: 4,
    S.APPROVED: 4,
    S.ISSUED: 9,
    S.REFUSED: 9,
    S.RETURNED: 10,
    S.WITHDRAWN: 7,
    S.STOPPED: 8,
}


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Người nộp hồ sơ")
    ONE_STOP_CLERK = "one_stop_clerk", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    CLERICAL_OFFICER = "clerical_officer", _("Văn thư")
    SYSTEM = "system", _("Hệ thống")


class TimelineAction(models.TextChoices):
    """Every name a timeline event can carry: stable, since the gateway, the index and the notifications
    key on them. The first group are the workflow's transitions (``TRANSITIONS``); the second leave the
    dossier's state as it is. ``events.dossier_event_build`` refuses any other name."""

    SUBMIT = "submit", _("Nộp hồ sơ")
    RECEIVE = "receive", _("Tiếp nhận")
    REQUEST_INTAKE_SUPPLEMENT = "request_intake_supplement", _("Yêu cầu bổ sung khi tiếp nhận")
    SUPPLY_AT_INTAKE = "supply_at_intake", _("Bổ sung hồ sơ (tiếp nhận)")
    REFUSE_AT_INTAKE = "refuse_at_intake", _("Từ chối tiếp nhận")
    START_PROCESSING = "start_processing", _("Chuyển xử lý")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung giấy tờ")
    SUPPLY = "supply", _("Bổ sung hồ sơ")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    CONFIRM_PAYMENT = "confirm_payment", _("Đã thực hiện nghĩa vụ tài chính")
    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Trình phê duyệt")
    SEND_BACK = "send_back", _("Trả lại để xử lý lại")
    APPROVE = "approve", _("Phê duyệt")
    PROPOSE_REFUSAL = "propose_refusal", _("Đề xuất từ chối")
    APPROVE_REFUSAL = "approve_refusal", _("Phê duyệt từ chối")
    ISSUE = "issue", _("Vào số, phát hành kết quả")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    WITHDRAW = "withdraw", _("Rút hồ sơ")
    STOP = "stop", _("Dừng xử lý")
    # Events that change no state.
    CLAIM = "claim", _("Nhận xử lý")
    ASSIGN = "assign", _("Phân công")
    STEP_COMPLETE = "step_complete", _("Hoàn thành bước")
    CONSULT = "consult", _("Lấy ý kiến phối hợp")
    APOLOGISE = "apologise", _("Xin lỗi, hẹn lại")
    RATE = "rate", _("Đánh giá")
    RESULT_DRAFT = "result_draft", _("Soạn dự thảo kết quả")
    SIGN_AUTHORISE = "sign_authorise", _("Lãnh đạo xác thực ký số")
    # The national systems (national app): the applicant checked against the population or business
    # register, a postal order placed, a tracking update from the postal service.
    APPLICANT_CHECK = "applicant_check", _("Đối chiếu cơ sở dữ liệu quốc gia")
    POST_ORDER = "post_order", _("Tạo đơn bưu chính")
    POST_TRACKING = "post_tracking", _("Cập nhật hành trình bưu gửi")
    DIGITISE = "digitise", _("Số hóa thành phần hồ sơ")
    FEE_PAID = "fee_paid", _("Đã nộp phí, lệ phí")
    FEE_REFUNDED = "fee_refunded", _("Hoàn trả phí, lệ phí")
    FEE_EXEMPTION = "fee_exemption", _("Áp dụng miễn, giảm phí, lệ phí")
    IMPORT = "import", _("Nhập từ hệ thống khác")


# The transitions' name in the workflow table and its tests: the same enumeration.
Action = TimelineAction


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    pauses_clock: bool = False
    resumes_clock: bool = False
    ends_processing: bool = False


def _t(action: str, sources: Iterable[str], target: str, actors: Iterable[str], **flags: bool) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), **flags)


_IN_PROCESS = {
    S.RECEIVED,
    S.PROCESSING,
    S.AWAITING_SUPPLEMENT,
    S.AWAITING_PAYMENT,
    S.PENDING_APPROVAL,
    S.REFUSAL_PROPOSED,
}
A = Actor

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SUBMIT, {S.DRAFT}, S.SUBMITTED, {A.APPLICANT, A.ONE_STOP_CLERK}),
    _t(Action.RECEIVE, {S.SUBMITTED}, S.RECEIVED, {A.ONE_STOP_CLERK}),
    _t(Action.REQUEST_INTAKE_SUPPLEMENT, {S.SUBMITTED}, S.INTAKE_SUPPLEMENT, {A.ONE_STOP_CLERK}),
    _t(Action.SUPPLY_AT_INTAKE, {S.INTAKE_SUPPLEMENT}, S.SUBMITTED, {A.APPLICANT, A.ONE_STOP_CLERK}),
    _t(Action.REFUSE_AT_INTAKE, {S.SUBMITTED, S.INTAKE_SUPPLEMENT}, S.REFUSED_AT_INTAKE, {A.ONE_STOP_CLERK}),
    _t(Action.START_PROCESSING, {S.RECEIVED}, S.PROCESSING, {A.ONE_STOP_CLERK, A.SYSTEM}),
    _t(
        Action.REQUEST_SUPPLEMENT,
        {S.PROCESSING},
        S.AWAITING_SUPPLEMENT,
        # A leader only for a second request, which they approve with a reason (Decree 118/2025 art. 12).
        {A.SPECIALIST, A.ONE_STOP_CLERK, A.LEADER},
        pauses_clock=True,
    ),
    _t(
        Action.SUPPLY,
        {S.AWAITING_SUPPLEMENT},
        S.PROCESSING,
        {A.APPLICANT, A.ONE_STOP_CLERK},
        resumes_clock=True,
    ),
    _t(Action.REQUEST_PAYMENT, {S.PROCESSING}, S.AWAITING_PAYMENT, {A.SPECIALIST}, pauses_clock=True),
    _t(
        Action.CONFIRM_PAYMENT,
        {S.AWAITING_PAYMENT},
        S.PROCESSING,
        {A.APPLICANT, A.ONE_STOP_CLERK, A.SYSTEM},
        resumes_clock=True,
    ),
    _t(Action.SUBMIT_FOR_APPROVAL, {S.PROCESSING}, S.PENDING_APPROVAL, {A.SPECIALIST}),
    _t(Action.SEND_BACK, {S.PENDING_APPROVAL, S.REFUSAL_PROPOSED}, S.PROCESSING, {A.LEADER}),
    _t(Action.APPROVE, {S.PENDING_APPROVAL}, S.APPROVED, {A.LEADER}),
    _t(Action.PROPOSE_REFUSAL, {S.PROCESSING}, S.REFUSAL_PROPOSED, {A.SPECIALIST}),
    _t(Action.APPROVE_REFUSAL, {S.REFUSAL_PROPOSED}, S.REFUSED, {A.LEADER}, ends_processing=True),
    _t(Action.ISSUE, {S.APPROVED}, S.ISSUED, {A.CLERICAL_OFFICER}, ends_processing=True),
    _t(Action.RETURN_RESULT, {S.ISSUED, S.REFUSED}, S.RETURNED, {A.ONE_STOP_CLERK, A.SYSTEM}),
    _t(
        Action.WITHDRAW,
        {S.DRAFT, S.SUBMITTED, S.INTAKE_SUPPLEMENT, *_IN_PROCESS},
        S.WITHDRAWN,
        {A.APPLICANT},
        ends_processing=True,
    ),
    # The competent agency's leader, or the receiving one-stop unit on the applicant's request (form 05,
    # Circular 03/2025/TT-VPCP art. 7; Decree 118/2025 art. 21).
    _t(Action.STOP, _IN_PROCESS, S.STOPPED, {A.LEADER, A.ONE_STOP_CLERK}, ends_processing=True),
)

_BY_KEY: dict[tuple[str, str], Transition] = {
    (t.action, source): t for t in TRANSITIONS for source in t.sources
}

TERMINAL_STATES = frozenset({S.REFUSED_AT_INTAKE, S.RETURNED, S.WITHDRAWN, S.STOPPED})
# The applicant may rate the service once the dossier has its outcome (a result, or a refusal).
RATEABLE_STATES = frozenset({S.ISSUED, S.REFUSED, S.RETURNED, S.REFUSED_AT_INTAKE})
CLOCK_PAUSED_STATES = frozenset({S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT})


class TransitionNotAllowed(ConflictError):
    """The workflow table has no such transition from the dossier's state for this actor: a 409 on the
    API, a message on the page."""

    def __init__(self, action: str, status: str, actor: str) -> None:
        super().__init__(
            gettext("Thao tác không hợp lệ ở trạng thái hiện tại của hồ sơ."),
            {"action": str(action), "status": str(status), "actor": str(actor)},
        )
        self.action, self.status, self.actor = action, status, actor


def find_transition(action: str, status: str) -> Transition | None:
    return _BY_KEY.get((action, status))


def can_transition(action: str, status: str, actor: str) -> bool:
    transition = find_transition(action, status)
    return transition is not None and actor in transition.actors


def transition_for(action: str, status: str, actor: str) -> Transition:
    transition = find_transition(action, status)
    if transition is None or actor not in transition.actors:
        raise TransitionNotAllowed(action, status, actor)
    return transition


def allowed_actions(status: str, actor: str) -> list[str]:
    return [t.action for t in TRANSITIONS if status in t.sources and actor in t.actors]


def can_rate(status: str) -> bool:
    """Rating is no transition (the state stays), but it has its states, here with the table."""
    return status in RATEABLE_STATES
