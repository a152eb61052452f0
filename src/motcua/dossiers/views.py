"""HTML pages: citizen (submit, my dossiers, supplement, withdraw, rate), public tracking, and the staff
desk (inboxes, counter intake, dossier page with the actions the user may take). Thin: parse, call a
selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.agencies.models import Agency
from motcua.catalog.models import Channel
from motcua.catalog.selectors import procedure_version_get_current
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.dossiers import forms, inbox, processing, selectors, services
from motcua.dossiers.models import AccessKind, Dossier, RatingCriterion, RatingLevel, TaskStatus
from motcua.dossiers.status import PLAIN_WORDS, dossier_status_public
from motcua.dossiers.workflow import DossierStatus, TransitionNotAllowed


def _error_to_form(form: Any, exc: ApplicationError) -> None:
    """Put a service's field errors next to the fields they name; anything else on top of the form."""
    fields = exc.extra.get("fields", {})
    for name, message in fields.items():
        form.add_error(name if name in form.fields else None, message)
    if not fields:
        form.add_error(None, exc.message)


def _submission(form: Any, request: HttpRequest, *, channel: str, receiving: Agency | None) -> Any:
    data = form.cleaned_data
    return services.SubmissionData(
        version=form.version,
        applicant=services.ApplicantData(
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            kind=data["applicant_kind"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
        ),
        channel=channel,
        return_method=data["return_method"],
        summary=data["summary"],
        files={
            int(k.removeprefix("component_")): v for k, v in data.items() if k.startswith("component_") and v
        },
        receiving_agency=receiving,
        sms_consent=bool(data.get("sms_consent")),
        survey_consent=bool(data.get("survey_consent")),
    )


# --- Citizen -------------------------------------------------------------------------------------


@login_required
def dossier_new(request: HttpRequest, local_code: str) -> HttpResponse:
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    user: Any = request.user
    initial = {
        "applicant_name": user.full_name or user.get_full_name(),
        "applicant_id_number": user.national_id,
        "applicant_phone": user.phone,
        "applicant_email": user.email,
        "return_method": "online",
    }
    form = forms.SubmissionForm(request.POST or None, request.FILES or None, version=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        as_draft = "save_draft" in request.POST
        try:
            dossier = services.dossier_submit(
                data=_submission(form, request, channel=Channel.ONLINE, receiving=None),
                user=user,
                idempotency_key=request.POST.get("idempotency_key", "")[:128],
                as_draft=as_draft,
            )
        except ApplicationError as exc:
            _error_to_form(form, exc)
        else:
            if as_draft:
                messages.success(request, _("Đã lưu bản nháp."))
                return redirect("dossiers:my_list")
            messages.success(request, _("Đã nộp hồ sơ. Mã hồ sơ: %(code)s") % {"code": dossier.code})
            return redirect("dossiers:my_detail", code=dossier.code)
    return render(
        request, "dossiers/new.html", {"form": form, "version": version, "idempotency_key": _fresh_key()}
    )


def _fresh_key() -> str:
    import secrets

    return secrets.token_urlsafe(16)


@login_required
def my_list(request: HttpRequest) -> HttpResponse:
    dossiers = selectors.dossiers_for_applicant(user=request.user).order_by("-created_at")[:100]
    return render(request, "dossiers/my_list.html", {"dossiers": dossiers})


@login_required
def my_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    supply_form = None
    if dossier.status in (DossierStatus.AWAITING_SUPPLEMENT, DossierStatus.INTAKE_SUPPLEMENT):
        supply_form = forms.SupplyForm(components=list(dossier.components.all()))
    criteria = list(RatingCriterion.objects.all()) if not hasattr(dossier, "rating") else []
    return render(
        request,
        "dossiers/my_detail.html",
        {
            "dossier": dossier,
            "public": dossier_status_public(dossier),
            "supply_form": supply_form,
            "criteria": criteria,
            "levels": RatingLevel.choices,
            "can_rate": _can_rate(dossier),
            "can_withdraw": dossier.status
            in (
                DossierStatus.SUBMITTED,
                DossierStatus.INTAKE_SUPPLEMENT,
                DossierStatus.PROCESSING,
                DossierStatus.AWAITING_SUPPLEMENT,
            ),
            "requested_items": _last_request(dossier),
        },
    )


def _can_rate(dossier: Dossier) -> bool:
    return dossier.status in (DossierStatus.RETURNED, DossierStatus.REFUSED_AT_INTAKE) and not hasattr(
        dossier, "rating"
    )


def _last_request(dossier: Dossier) -> list[str]:
    event = (
        dossier.events.filter(action__in=["request_supplement", "request_intake_supplement"])
        .order_by("-at", "-pk")
        .first()
    )
    return list(event.data.get("items", [])) if event else []


@login_required
@require_POST
def my_supply(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    form = forms.SupplyForm(request.POST, request.FILES, components=list(dossier.components.all()))
    if form.is_valid():
        files = {
            int(k.removeprefix("component_")): v
            for k, v in form.cleaned_data.items()
            if k.startswith("component_") and v
        }
        try:
            services.dossier_supply(
                dossier=dossier, user=request.user, files=files, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("Đã gửi giấy tờ bổ sung."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Tệp không hợp lệ."))
    return redirect("dossiers:my_detail", code=code)


@login_required
@require_POST
def my_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
        services.dossier_withdraw(dossier=dossier, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Đã rút hồ sơ."))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("dossiers:my_detail", code=code)


@login_required
@require_POST
def my_submit_draft(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = (
        selectors.dossiers_for_applicant(user=request.user).filter(pk=pk, status=DossierStatus.DRAFT).first()
    )
    if dossier is None:
        raise Http404
    try:
        dossier = services.dossier_submit_draft(dossier=dossier, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:my_list")
    return redirect("dossiers:my_detail", code=dossier.code)


@login_required
@require_POST
def my_rate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
        scores = {
            k.removeprefix("criterion_"): int(v)
            for k in request.POST
            if k.startswith("criterion_") and (v := request.POST.get(k, "")).isdigit()
        }
        services.dossier_rate(
            dossier=dossier, user=request.user, scores=scores, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("dossiers:my_detail", code=code)


def track(request: HttpRequest) -> HttpResponse:
    form = forms.TrackingForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = selectors.dossier_status_public_lookup(
                code=form.cleaned_data["code"], second_factor=form.cleaned_data["factor"]
            )
        except NotFoundError:
            form.add_error(None, _("Không tìm thấy hồ sơ với mã và thông tin xác thực đã nhập."))
    return render(request, "dossiers/track.html", {"form": form, "result": result})


# --- Staff desk ----------------------------------------------------------------------------------


def _staff_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not selectors.officer_agency_ids(user=request.user):
        raise Http404


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _staff_required(request)
    box = request.GET.get("box", "unit")
    if box not in inbox.BOXES:
        box = "unit"
    if box == "intake":
        rows = list(inbox.inbox_dossiers(user=request.user, box="intake")[:200])
        tasks = []
    else:
        rows = []
        tasks = list(inbox.inbox_tasks(user=request.user, box=box)[:200])
    return render(
        request, "dossiers/desk.html", {"box": box, "boxes": inbox.BOXES, "dossiers": rows, "tasks": tasks}
    )


@login_required
def counter_new(request: HttpRequest, local_code: str) -> HttpResponse:
    _staff_required(request)
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    centres = [
        a
        for a in Agency.objects.filter(is_service_centre=True)
        if "one_stop_clerk" in selectors.user_roles_at(user=request.user, agency=a)
    ]
    if not centres:
        raise Http404
    form = forms.CounterForm(request.POST or None, request.FILES or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_receive_at_counter(
                clerk=request.user,
                data=_submission(form, request, channel=Channel.COUNTER, receiving=centres[0]),
                received_component_ids=[int(x) for x in form.cleaned_data["received_components"]],
                idempotency_key=request.POST.get("idempotency_key", "")[:128],
            )
        except ApplicationError as exc:
            _error_to_form(form, exc)
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("dossiers:desk_detail", code=dossier.code)
    return render(
        request,
        "dossiers/counter_new.html",
        {"form": form, "version": version, "centre": centres[0], "idempotency_key": _fresh_key()},
    )


@login_required
def desk_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    my_tasks = [
        t
        for t in dossier.tasks.filter(status=TaskStatus.ACTIVE).select_related("agency", "step")
        if t.role in selectors.user_roles_at(user=request.user, agency=t.agency)
    ]
    intake = False
    for agency in (dossier.receiving_agency, dossier.helped_at):
        if agency is not None and "one_stop_clerk" in selectors.user_roles_at(
            user=request.user, agency=agency
        ):
            intake = True
    return render(
        request,
        "dossiers/desk_detail.html",
        {
            "dossier": dossier,
            "tasks": dossier.tasks.select_related("agency", "assignee").order_by("order", "pk"),
            "events": selectors.dossier_timeline(dossier=dossier),
            "my_tasks": my_tasks,
            "intake": intake,
            "words": PLAIN_WORDS,
            "statuses": DossierStatus,
            # Separate ids per form: several of them can be on the page at once.
            "intake_items_form": forms.ItemsForm(auto_id="intake-%s"),
            "supplement_form": forms.ItemsForm(auto_id="supp-%s"),
            "refuse_form": forms.ReasonForm(auto_id="refuse-%s"),
            "refusal_form": forms.ReasonForm(auto_id="propose-%s"),
            "send_back_form": forms.ReasonForm(auto_id="back-%s"),
            "complete_form": forms.CompleteForm(),
            "payment_form": forms.ItemsForm(auto_id="pay-%s"),
            "stop_form": forms.ReasonForm(auto_id="stop-%s"),
            "other_agencies": Agency.objects.filter(valid_to__isnull=True)
            .exclude(pk=dossier.competent_agency_id)
            .order_by("code"),
            "colleagues": _colleagues(dossier, request.user),
            "return_form": forms.ReturnForm(initial={"method": dossier.return_method}),
            "apology_form": forms.ApologyForm(),
            "components": dossier.components.prefetch_related("files"),
        },
    )


@login_required
@require_POST
def desk_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_officer(
            user=request.user, code=code, kind=AccessKind.ACTION, target=action
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    post = request.POST
    user = request.user
    try:
        if action == "receive":
            services.dossier_receive(dossier=dossier, clerk=user)
        elif action == "intake_supplement":
            services.dossier_request_intake_supplement(
                dossier=dossier, clerk=user, items=post.get("items", "").splitlines()
            )
        elif action == "refuse":
            services.dossier_refuse_at_intake(dossier=dossier, clerk=user, reason=post.get("reason", ""))
        elif action == "supplement_request":
            services.dossier_request_supplement(
                dossier=dossier, officer=user, items=post.get("items", "").splitlines()
            )
        elif action in ("claim", "complete"):
            task = dossier.tasks.filter(pk=int(post.get("task", "0") or 0)).first()
            if task is None:
                raise NotFoundError(_("Không tìm thấy bước xử lý."))
            if action == "claim":
                processing.task_claim(task=task, user=user)
            else:
                processing.task_complete(
                    task=task,
                    user=user,
                    note=post.get("note", ""),
                    result_number=post.get("result_number", ""),
                )
        elif action == "assign":
            from motcua.accounts.models import User

            task = dossier.tasks.filter(pk=int(post.get("task", "0") or 0)).first()
            assignee = User.objects.filter(pk=int(post.get("assignee", "0") or 0)).first()
            if task is None or assignee is None:
                raise ApplicationError(_("Chọn bước và cán bộ được giao."))
            processing.task_assign(task=task, assignee=assignee, by=user)
        elif action == "consult":
            consulted = Agency.objects.filter(code=post.get("agency", "")).first()
            if consulted is None:
                raise ApplicationError(_("Chọn cơ quan phối hợp."))
            processing.consultation_request(
                dossier=dossier,
                specialist=user,
                agency=consulted,
                question=post.get("question", ""),
                budget_value=post.get("budget_value", "1") or "1",
                budget_unit="working_days",
            )
        elif action == "payment_request":
            services.dossier_request_payment(
                dossier=dossier, officer=user, items=post.get("items", "").splitlines()
            )
        elif action == "payment_confirm":
            services.dossier_confirm_payment(dossier=dossier, clerk=user, reference=post.get("reference", ""))
        elif action == "stop":
            services.dossier_stop(dossier=dossier, leader=user, reason=post.get("reason", ""))
        elif action == "send_back":
            processing.task_send_back(dossier=dossier, leader=user, reason=post.get("reason", ""))
        elif action == "propose_refusal":
            processing.dossier_propose_refusal(
                dossier=dossier, specialist=user, reason=post.get("reason", "")
            )
        elif action == "return":
            services.dossier_return_result(
                dossier=dossier,
                clerk=user,
                method=post.get("method", ""),
                recipient=post.get("recipient", ""),
                note=post.get("note", ""),
            )
        elif action == "apology":
            form = forms.ApologyForm(post)
            if not form.is_valid():
                raise ApplicationError(_("Ngày hẹn mới không hợp lệ."))
            services.dossier_apologise(
                dossier=dossier,
                officer=user,
                reason=form.cleaned_data["reason"],
                new_appointment_at=form.cleaned_data["new_appointment_at"],
            )
        else:
            raise Http404
        messages.success(request, _("Đã thực hiện."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except TransitionNotAllowed:
        messages.error(request, _("Thao tác không hợp lệ ở trạng thái hiện tại của hồ sơ."))
    return redirect("dossiers:desk_detail", code=code)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ (form 07): every dossier received by the user's agencies, by receipt date."""
    _staff_required(request)
    import datetime as dt

    from motcua.core import clock

    today = clock.local_today()
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("from", ""))
            if request.GET.get("from")
            else today.replace(day=1)
        )
        end = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError:
        start, end = today.replace(day=1), today
        messages.error(request, _("Ngày không hợp lệ (YYYY-MM-DD)."))
    rows = (
        selectors.dossiers_for_officer(user=request.user)
        .exclude(received_at=None)
        .filter(received_at__date__gte=start, received_at__date__lte=end)
        .select_related("procedure_version", "competent_agency")
        .order_by("received_at")[:1000]
    )
    listed = list(rows)
    selectors.dossiers_access_record(
        user=request.user, dossiers=listed, kind=AccessKind.EXPORT, target=f"register {start}..{end}"
    )
    return render(request, "dossiers/register.html", {"rows": listed, "start": start, "end": end})


@login_required
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (form 01), printable."""
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFoundError:
        try:
            dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
    if dossier.received_at is None:
        raise Http404
    receiver = dossier.events.filter(action="receive").select_related("actor").first()
    return render(
        request,
        "dossiers/receipt.html",
        {
            "dossier": dossier,
            "components": dossier.components.all(),
            "receiver": receiver,
            "version": dossier.procedure_version,
        },
    )


def _colleagues(dossier: Dossier, user: Any) -> list[Any]:
    """Officers a leader of the competent agency may assign steps to (same agency, active roles)."""
    from motcua.accounts.models import Role, StaffRole, User
    from motcua.core import clock

    if "leader" not in selectors.user_roles_at(user=user, agency=dossier.competent_agency):
        return []
    ids = (
        StaffRole.objects.active_on(clock.local_today())
        .filter(agency=dossier.competent_agency, role__in=[Role.SPECIALIST, Role.CLERICAL_OFFICER])
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("full_name"))
