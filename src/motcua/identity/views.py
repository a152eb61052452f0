"""Pages: VNeID login and its callback, the citizen's data store, "who used my data" (with CSV export and
consent per purpose) and reporting wrong population data. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.core import clock
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.core.throttle import client_ip_or_none
from motcua.identity import selectors, services, store
from motcua.identity.models import DocumentSource
from motcua.identity.vneid import (
    VneidLoginError,
    vneid_client,
    vneid_identity_from_callback,
    vneid_redirect_uris,
)

_NEXT = "vneid_next"


def vneid_login(request: HttpRequest) -> HttpResponse:
    """Start the authorization code flow (Authlib adds state, nonce and the PKCE challenge)."""
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        request.session[_NEXT] = candidate
    try:
        response: HttpResponse = vneid_client().authorize_redirect(request, vneid_redirect_uris()[0])
    except Exception as exc:  # discovery failed: the provider is down or answers garbage
        services.vneid_login_failure_record(
            reason="unavailable", detail=str(exc), ip=client_ip_or_none(request)
        )
        return render(
            request,
            "identity/vneid_error.html",
            {"message": _("Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau.")},
            status=503,
        )
    return response


def vneid_callback(request: HttpRequest) -> HttpResponse:
    try:
        identity = vneid_identity_from_callback(request)
        user = services.vneid_account_for(identity)
    except VneidLoginError as exc:
        services.vneid_login_failure_record(
            reason=exc.reason, detail=exc.detail, ip=client_ip_or_none(request)
        )
        return render(request, "identity/vneid_error.html", {"message": exc.message}, status=400)
    except services.VneidLinkRefused as exc:
        reason = str(exc.extra.get("reason", "refused"))
        services.vneid_login_failure_record(reason=reason, detail=exc.message, ip=client_ip_or_none(request))
        return render(request, "identity/vneid_error.html", {"message": exc.message}, status=403)
    target = request.session.pop(_NEXT, "") or reverse("dossiers:my_list")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["login_method"] = "vneid"
    messages.success(request, _("Đã đăng nhập bằng tài khoản định danh điện tử VNeID."))
    return redirect(target)


@login_required
def store_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.national_id:
        store.store_sync(id_number=user.national_id)
    documents = store.store_documents(id_number=user.national_id) if user.national_id else []
    for doc in documents:
        if doc.file and doc.verified_at is None:
            store.store_document_verify(doc)
    rows = [(doc, *store.store_document_reusable(doc)) for doc in documents]
    return render(request, "identity/store.html", {"rows": rows, "sources": DocumentSource})


@login_required
def store_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    try:
        doc = store.store_document_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if not doc.file:
        raise Http404
    response = FileResponse(
        doc.file.open("rb"), as_attachment=True, filename=(doc.file.name or "").rsplit("/", 1)[-1]
    )
    response["Content-Type"] = (
        "application/pdf" if doc.content_type == "application/pdf" else "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# Rows per page of "who used my data": a citizen whose data was read thousands of times gets pages.
ACCESSES_PER_PAGE = 25


@login_required
def who_used_my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's record, filtered by who and month, a page at a time (any bad ?page= shows a page,
    never an error), each row in words (``access_labels``); ``?format=csv`` exports the filtered record."""
    user = request.user
    who = request.GET.get("who", "")
    who = who if who in dict(selectors.access_who_choices()) else ""
    month = selectors.access_month_parse(request.GET.get("month", ""))
    accesses = selectors.accesses_for_subject(user=user, who=who, month=month)
    if request.GET.get("format") == "csv":
        return _csv(selectors.accesses_labelled_all(user=user, rows=accesses))
    page = Paginator(accesses, ACCESSES_PER_PAGE).get_page(request.GET.get("page"))
    consents = selectors.consents_standing(user=user)
    return render(
        request,
        "identity/who_used.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "rows": selectors.accesses_labelled(user=user, rows=page.object_list),
            "who": who,
            "who_choices": selectors.access_who_choices(),
            "month": f"{month:%Y-%m}" if month else "",
            "months": selectors.access_months(user=user),
            "purpose_rows": [(p, consents.get(p.pk)) for p in selectors.purposes_in_force()],
        },
    )


def _csv(rows: Iterable[selectors.LabelledAccess]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="du-lieu-cua-toi-{clock.local_today():%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Thời điểm"), _("Bên xử lý"), _("Người, hệ thống"), _("Việc đã làm"), _("Mục đích")])
    for item in rows:
        writer.writerow(
            [
                item.row.at.astimezone(clock.VIETNAM_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                item.row.get_accessor_kind_display(),
                item.label.who,
                item.label.what,
                item.label.purpose,
            ]
        )
    return response


@login_required
@require_POST
def consent_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = request.POST.get("purpose", "")
    try:
        if request.POST.get("action") == "grant":
            services.consent_grant(user=request.user, purpose_code=code)
            messages.success(request, _("Đã ghi nhận sự đồng ý."))
        else:
            services.consent_withdraw(user=request.user, purpose_code=code)
            messages.success(request, _("Đã rút lại sự đồng ý."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("identity:who_used")


@login_required
def data_error(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.data_error_report(
                user=request.user,
                field=request.POST.get("field", ""),
                message=request.POST.get("message", ""),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Đã gửi báo sai thông tin. Cơ quan quản lý cơ sở dữ liệu sẽ kiểm tra và điều chỉnh."),
            )
            return redirect("dossiers:my_list")
    return render(request, "identity/data_error.html", {"field": request.GET.get("field", "")})
