"""HTML pages: citizen (submit, my dossiers, supplement, withdraw, rate), public tracking, and the staff
desk (inboxes, counter intake, dossier page with the actions the user may take). Thin: parse, call a
selector or service, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.accounts.selectors import staff_member_get, user_roles_at
from motcua.agencies.models import Agency
from motcua.agencies.selectors import agency_get_by_code
from motcua.catalog.models import Channel
from motcua.catalog.selectors import procedure_version_get_current
from motcua.core.errors import ApplicationError, NotFoundError, ValidationFailedError
from motcua.core.throttle import ThrottledError, client_ip
from motcua.dossiers import forms, inbox, processing, selectors, services
from motcua.dossiers.models import AccessKind, Dossier, RatingLevel, TaskStatus
from motcua.dossiers.paperwork import SigningCredentials, paperwork
from motcua.dossiers.personal_data import document_store
from motcua.dossiers.registries import (
    ApplicantCheck,
    dossier_applicant_verify,
    dossier_post_pickup_request,
    registries,
)
from motcua.dossiers.status import PLAIN_WORDS, dossier_status_lookup, dossier_status_public
from motcua.dossiers.workflow import (
    Action,
    Actor,
    DossierStatus,
    allowed_actions,
    can_rate,
    can_transition,
)

if TYPE_CHECKING:
    from motcua.accounts.models import User


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


APPLICANT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "summary",
    "return_method",
)


def _applicant_lookup(
    request: AuthenticatedHttpRequest, purpose: str
) -> tuple[dict[str, Any], ApplicantCheck]:
    """The "look up in the national database" button: the applicant's fields as typed, overwritten by the
    register's values only when it found them (a mismatch pre-fills nothing and tells the clerk)."""
    initial: dict[str, Any] = {name: request.POST.get(name, "") for name in APPLICANT_FIELDS}
    check = registries().applicant_check(
        kind=initial["applicant_kind"] or "citizen",
        id_number=initial["applicant_id_number"].strip(),
        name=initial["applicant_name"].strip(),
        birth_date=None,
        purpose=purpose,
        actor=request.user,
    )
    initial.update({k: v for k, v in check.prefill.items() if v})
    return initial, check


def _check_message(request: HttpRequest, check: ApplicantCheck) -> None:
    if check.status == "found":
        messages.success(request, check.message)
    elif check.status != "skipped":
        messages.warning(request, f"{check.system}: {check.message}")


# --- Citizen -------------------------------------------------------------------------------------


@login_required
def dossier_new(request: AuthenticatedHttpRequest, local_code: str) -> HttpResponse:
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    user: User = request.user
    initial = {
        "applicant_name": user.full_name or user.get_full_name(),
        "applicant_id_number": user.national_id,
        "applicant_phone": user.phone,
        "applicant_email": user.email,
        "return_method": "online",
    }
    store = document_store()
    components = list(version.components.all())
    offers = store.reuse_offers(user=user, components=components) if store is not None else {}
    prefill = _population_prefill(request)
    prefilled = prefill.prefill if prefill is not None and prefill.status == "found" else None
    check = None
    if request.method == "POST" and "lookup_national" in request.POST:
        initial, check = _applicant_lookup(
            request, _("Nộp hồ sơ trực tuyến: %(procedure)s") % {"procedure": version.procedure.local_code}
        )
        form = forms.CitizenSubmissionForm(
            version=version, initial=initial, offers=offers, prefilled=prefilled
        )
    else:
        form = forms.CitizenSubmissionForm(
            request.POST or None,
            request.FILES or None,
            version=version,
            initial=initial,
            offers=offers,
            prefilled=prefilled,
        )
    if request.method == "POST" and check is None and form.is_valid():
        as_draft = "save_draft" in request.POST
        try:
            data = _submission(form, request, channel=Channel.ONLINE, receiving=None)
            if prefill is not None and prefill.status == "found":
                data.form_data = {
                    **data.form_data,
                    "population_prefill": {**prefill.prefill, "system": prefill.system},
                }
            _reuse_from_store(data, form.reuse_choices(), components=components, user=user)
            dossier = services.dossier_submit(
                data=data,
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
            if form.cleaned_data.get("pickup_by_post"):
                try:
                    dossier_post_pickup_request(dossier=dossier, actor=user)
                except ApplicationError as exc:
                    messages.warning(request, exc.message)
            # After the submission's transaction: a slow or absent register never undoes it.
            _check_message(
                request,
                dossier_applicant_verify(
                    dossier=dossier, actor=user, actor_role=Actor.APPLICANT, actor_agency=None
                ),
            )
            return redirect("dossiers:my_detail", code=dossier.code)
    return render(
        request,
        "dossiers/new.html",
        {
            "form": form,
            "version": version,
            "idempotency_key": _fresh_key(),
            "national_check": check,
            "prefill": prefill,
        },
    )


def _population_prefill(request: AuthenticatedHttpRequest) -> ApplicantCheck | None:
    """The logged-in citizen's name and address from the national population database (through the
    ``registries`` port, which records the look-up), once per session; they fill the form and cannot be
    edited there. A mismatch or an unavailable register pre-fills nothing and says so."""
    user = request.user
    if getattr(user, "kind", "") != "citizen" or not user.national_id or not user.full_name:
        return None
    key = f"population_prefill:{user.national_id}"
    cached = request.session.get(key)
    if isinstance(cached, dict):
        return ApplicantCheck(**cached)
    check = registries().applicant_check(
        kind="citizen",
        id_number=user.national_id,
        name=user.full_name,
        birth_date=None,
        purpose=_("Điền sẵn thông tin khi nộp hồ sơ trực tuyến"),
        actor=user,
    )
    if check.status == "skipped":
        return None
    if check.status != "unavailable":
        request.session[key] = asdict(check)
    return check


def _reuse_from_store(data: Any, choices: dict[int, str], *, components: list[Any], user: User) -> None:
    """Put the chosen store documents in place of uploads, each with its provenance (the store checks
    the signature again now; a document that no longer validates is refused)."""
    store = document_store()
    if store is None or not choices:
        return
    by_id = {c.pk: c for c in components}
    files = dict(data.files)
    reused = {}
    for component_id, value in choices.items():
        component = by_id.get(component_id)
        if component is None:
            continue
        upload, provenance = store.reuse_take(user=user, component=component, value=value)
        files[component_id] = [upload]
        reused[component_id] = provenance
    data.files = files
    data.reused = reused


def _fresh_key() -> str:
    import secrets

    return secrets.token_urlsafe(16)


@login_required
def my_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    dossiers = selectors.dossiers_for_applicant(user=request.user).order_by("-created_at")[:100]
    return render(request, "dossiers/my_list.html", {"dossiers": dossiers})


@login_required
def my_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_applicant(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    supply_form = None
    if can_transition(Action.SUPPLY, dossier.status, Actor.APPLICANT) or can_transition(
        Action.SUPPLY_AT_INTAKE, dossier.status, Actor.APPLICANT
    ):
        supply_form = forms.SupplyForm(components=list(dossier.components.all()))
    can_rate_now = can_rate(dossier.status) and not hasattr(dossier, "rating")
    return render(
        request,
        "dossiers/my_detail.html",
        {
            "dossier": dossier,
            "public": dossier_status_public(dossier),
            "supply_form": supply_form,
            "criteria": selectors.rating_criteria_in_force() if can_rate_now else [],
            "levels": RatingLevel.choices,
            "can_rate": can_rate_now,
            # The workflow table decides, as it does for the service (and the API).
            "can_withdraw": can_transition(Action.WITHDRAW, dossier.status, Actor.APPLICANT),
            "requested_items": _last_request(dossier),
            "post_orders": registries().post_tracking(dossier=dossier),
        },
    )


def _last_request(dossier: Dossier) -> list[str]:
    event = (
        dossier.events.filter(action__in=[Action.REQUEST_SUPPLEMENT, Action.REQUEST_INTAKE_SUPPLEMENT])
        .order_by("-at", "-pk")
        .first()
    )
    return list(event.data.get("items", [])) if event else []


@login_required
@require_POST
def my_supply(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
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
def my_withdraw(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
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
def my_submit_draft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def my_rate(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
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
    """The public look-up page. The factor travels in a POST body, never in a URL (URLs end up in logs and
    browser history); a GET only fills in the code, as the receipt's QR code does (?code=…)."""
    form = forms.TrackingForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    result, status, retry_after = None, 200, 0
    if form.is_bound and form.is_valid():
        try:
            result = dossier_status_lookup(
                code=form.cleaned_data["code"], factor=form.cleaned_data["factor"], client=client_ip(request)
            )
        except ThrottledError as exc:
            form.add_error(None, exc.message)
            status, retry_after = 429, exc.retry_after
        except NotFoundError:
            form.add_error(None, _("Không tìm thấy hồ sơ với mã và thông tin xác thực đã nhập."))
    response = render(request, "dossiers/track.html", {"form": form, "result": result}, status=status)
    response["Cache-Control"] = "no-store"
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- Staff desk ----------------------------------------------------------------------------------


def _staff_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not selectors.officer_agency_ids(user=request.user):
        raise Http404


@login_required
def desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    from motcua.accounts.selectors import agency_ids_for_user, user_monitors_only

    if not agency_ids_for_user(user=request.user):
        raise Http404
    if user_monitors_only(request.user):
        # The IOC viewer reads statistics, not dossiers: its boxes would always be empty.
        return redirect("ioc:dashboard")
    counts = inbox.inbox_counts(user=request.user)
    box = request.GET.get("box") or inbox.inbox_default_box(counts)
    if box not in inbox.BOXES:
        box = "unit"
    if box == "intake":
        rows = list(inbox.inbox_dossiers(user=request.user, box="intake")[:200])
        tasks = []
    else:
        rows = []
        tasks = list(inbox.inbox_tasks(user=request.user, box=box)[:200])
    return render(
        request,
        "dossiers/desk.html",
        {"box": box, "boxes": inbox.BOXES, "counts": counts, "dossiers": rows, "tasks": tasks},
    )


@login_required
def counter_new(request: AuthenticatedHttpRequest, local_code: str) -> HttpResponse:
    _staff_required(request)
    try:
        version = procedure_version_get_current(local_code=local_code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    centres = [
        a
        for a in Agency.objects.filter(is_service_centre=True)
        if "one_stop_clerk" in user_roles_at(user=request.user, agency=a)
    ]
    if not centres:
        raise Http404
    check = None
    if request.method == "POST" and "lookup_national" in request.POST:
        initial, check = _applicant_lookup(
            request,
            _("Tiếp nhận hồ sơ tại quầy: %(procedure)s") % {"procedure": version.procedure.local_code},
        )
        form = forms.CounterForm(version=version, initial=initial)
    else:
        form = forms.CounterForm(request.POST or None, request.FILES or None, version=version)
    if request.method == "POST" and check is None and form.is_valid():
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
            _check_message(
                request,
                dossier_applicant_verify(
                    dossier=dossier,
                    actor=request.user,
                    actor_role=Actor.ONE_STOP_CLERK,
                    actor_agency=centres[0],
                ),
            )
            return redirect("dossiers:desk_detail", code=dossier.code)
    return render(
        request,
        "dossiers/counter_new.html",
        {
            "form": form,
            "version": version,
            "centre": centres[0],
            "idempotency_key": _fresh_key(),
            "national_check": check,
        },
    )


@login_required
def desk_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    try:
        dossier = selectors.dossier_get_for_officer(user=request.user, code=code)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    my_tasks = [
        t
        for t in dossier.tasks.filter(status=TaskStatus.ACTIVE).select_related("agency", "step")
        if t.role in user_roles_at(user=request.user, agency=t.agency)
    ]
    intake = any(
        agency is not None and Actor.ONE_STOP_CLERK in user_roles_at(user=request.user, agency=agency)
        for agency in (dossier.receiving_agency, dossier.helped_at)
    )
    colleagues = _colleagues(dossier, request.user)
    # What the workflow table allows from this state in the roles the user acts in here.
    roles = {t.role for t in my_tasks} | ({Actor.ONE_STOP_CLERK} if intake else set())
    if colleagues:
        roles.add(Actor.LEADER)
    can = {action: True for role in roles for action in allowed_actions(dossier.status, role)}
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
            "can": can,
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
            "colleagues": colleagues,
            "return_form": forms.ReturnForm(
                initial={"method": dossier.return_method, "recipient": dossier.applicant_name}
            ),
            "apology_form": forms.ApologyForm(),
            "components": dossier.components.prefetch_related("files"),
            # The result's draft (specialist's form, leader's preview) and the approval's re-authentication.
            "result_draft_fields": paperwork().result_draft_fields(dossier=dossier),
            "signing_needs_otp": user_has_device(request.user, confirmed=True),
            "post_orders": registries().post_tracking(dossier=dossier),
        },
    )


def _task(dossier: Dossier, data: dict[str, Any]) -> Any:
    return selectors.task_of_dossier(dossier=dossier, task_id=data.get("task"))


def _assign(dossier: Dossier, user: User, data: dict[str, Any]) -> object:
    assignee = staff_member_get(user_id=data["assignee"])
    if assignee is None:
        raise ValidationFailedError(_("Chọn bước và cán bộ được giao."), {"field": "assignee"})
    return processing.task_assign(task=_task(dossier, data), assignee=assignee, by=user)


def _consult(dossier: Dossier, user: User, data: dict[str, Any]) -> object:
    return processing.consultation_request(
        dossier=dossier,
        specialist=user,
        agency=agency_get_by_code(data["agency"] or "-"),
        question=data["question"],
        budget_value=data["budget_value"] or 1,
        budget_unit="working_days",
    )


DeskService = Callable[[Dossier, Any, dict[str, Any]], object]


def _result_draft(dossier: Dossier, user: User, cleaned: dict[str, Any]) -> Any:
    fields = paperwork().result_draft_fields(dossier=dossier)
    raw = cleaned["raw"]
    return processing.result_draft_save(
        dossier=dossier, specialist=user, values={f["name"]: raw.get(f["name"], "") for f in fields}
    )


# The desk's actions: {action in the URL: (the form that parses the POST, the service it calls)}. The
# services check every rule (role, state through the workflow table); a refusal is a message on the page.
DESK_ACTIONS: dict[str, tuple[type[django_forms.Form], DeskService]] = {
    "receive": (forms.DeskForm, lambda d, u, c: services.dossier_receive(dossier=d, clerk=u)),
    "intake_supplement": (
        forms.DeskItemsForm,
        lambda d, u, c: services.dossier_request_intake_supplement(
            dossier=d, clerk=u, items=c["items"].splitlines()
        ),
    ),
    "refuse": (
        forms.DeskReasonForm,
        lambda d, u, c: services.dossier_refuse_at_intake(dossier=d, clerk=u, reason=c["reason"]),
    ),
    "supplement_request": (
        forms.DeskItemsForm,
        lambda d, u, c: services.dossier_request_supplement(
            dossier=d,
            officer=u,
            items=c["items"].splitlines(),
            second_request_reason=c["second_request_reason"],
        ),
    ),
    "claim": (forms.DeskTaskForm, lambda d, u, c: processing.task_claim(task=_task(d, c), user=u)),
    "complete": (
        forms.DeskCompleteForm,
        lambda d, u, c: processing.task_complete(
            task=_task(d, c),
            user=u,
            note=c["note"],
            result_number=c["result_number"],
            credentials=SigningCredentials(password=c["password"], otp=c["otp"]) if c["password"] else None,
        ),
    ),
    "result_draft": (forms.DeskResultDraftForm, _result_draft),
    "assign": (forms.DeskAssignForm, _assign),
    "consult": (forms.DeskConsultForm, _consult),
    "payment_request": (
        forms.DeskItemsForm,
        lambda d, u, c: services.dossier_request_payment(dossier=d, officer=u, items=c["items"].splitlines()),
    ),
    "payment_confirm": (
        forms.DeskPaymentForm,
        lambda d, u, c: services.dossier_confirm_payment(dossier=d, clerk=u, reference=c["reference"]),
    ),
    "stop": (
        forms.DeskReasonForm,
        lambda d, u, c: services.dossier_stop(dossier=d, leader=u, reason=c["reason"]),
    ),
    "stop_on_request": (
        forms.DeskReasonForm,
        lambda d, u, c: services.dossier_stop_on_request(dossier=d, clerk=u, reason=c["reason"]),
    ),
    "send_back": (
        forms.DeskReasonForm,
        lambda d, u, c: processing.task_send_back(dossier=d, leader=u, reason=c["reason"]),
    ),
    "propose_refusal": (
        forms.DeskReasonForm,
        lambda d, u, c: processing.dossier_propose_refusal(dossier=d, specialist=u, reason=c["reason"]),
    ),
    "return": (
        forms.DeskReturnForm,
        lambda d, u, c: services.dossier_return_result(
            dossier=d, clerk=u, method=c["method"], recipient=c["recipient"], note=c["note"]
        ),
    ),
    "apology": (
        forms.ApologyForm,
        lambda d, u, c: services.dossier_apologise(
            dossier=d, officer=u, reason=c["reason"], new_appointment_at=c["new_appointment_at"]
        ),
    ),
}


def _form_errors(form: django_forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
        for name, errors in form.errors.items()
    )


@login_required
@require_POST
def desk_action(request: AuthenticatedHttpRequest, code: str, action: str) -> HttpResponse:
    if action not in DESK_ACTIONS:
        raise Http404
    try:
        dossier = selectors.dossier_get_for_officer(
            user=request.user, code=code, kind=AccessKind.ACTION, target=action
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    form_class, service = DESK_ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("dossiers:desk_detail", code=code)
    try:
        cleaned = dict(form.cleaned_data)
        if isinstance(form, forms.DeskResultDraftForm):
            cleaned["raw"] = form.raw
        service(dossier, request.user, cleaned)
    except ApplicationError as exc:  # every refusal: not allowed now, not found, conflict, invalid
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thực hiện."))
    return redirect("dossiers:desk_detail", code=code)


@login_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def receipt(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
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
    receiver = dossier.events.filter(action=Action.RECEIVE).select_related("actor").first()
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


def _colleagues(dossier: Dossier, user: User) -> list[Any]:
    """Officers a leader of the competent agency may assign steps to (same agency, active roles)."""
    from motcua.accounts.models import Role, StaffRole, User
    from motcua.core import clock

    if "leader" not in user_roles_at(user=user, agency=dossier.competent_agency):
        return []
    ids = (
        StaffRole.objects.active_on(clock.local_today())
        .filter(agency=dossier.competent_agency, role__in=[Role.SPECIALIST, Role.CLERICAL_OFFICER])
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("full_name"))
