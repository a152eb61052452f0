"""Counter pages of digitisation: scan or upload the pages of a paper component (reorderable), watch the
job page by page, check the text and fields, confirm; the job's PDF/A; the staff search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.core.errors import ApplicationError, NotFoundError
from motcua.digitization import selectors, services
from motcua.digitization.models import JobPurpose, JobState
from motcua.digitization.search import search_dossiers


@login_required
def component_digitize(request: AuthenticatedHttpRequest, code: str, component_id: int) -> HttpResponse:
    try:
        dossier, component = selectors.component_get_for_officer(
            user=request.user, code=code, component_id=component_id
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        try:
            job = services.job_create(
                uploads=request.FILES.getlist("pages"), user=request.user, component=component
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("digitization:job", job_id=job.pk)
    return render(
        request,
        "digitization/component.html",
        {
            "dossier": dossier,
            "component": component,
            "jobs": selectors.jobs_of_component(component=component),
        },
    )


def _job(request: AuthenticatedHttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    try:
        return selectors.job_get_for_officer(user=request.user, job_id=job_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
def job_detail(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "digitization/job.html",
        {"job": job, "finished": job.state in (JobState.DONE, JobState.FAILED)},
    )


@login_required
def job_status(request: AuthenticatedHttpRequest, job_id: int) -> JsonResponse:
    """What the job page polls: state and pages done."""
    job = _job(request, job_id)
    return JsonResponse(
        {
            "state": job.state,
            "pages_total": job.pages_total,
            "pages_done": job.pages_done,
            "percent": job.progress_percent,
            "error": job.error,
        }
    )


@login_required
def job_output(request: AuthenticatedHttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if not job.output:
        raise Http404(_("Chưa có tệp kết quả."))
    return FileResponse(
        job.output.open("rb"), content_type="application/pdf", filename=f"so-hoa-{job.pk}.pdf"
    )


@login_required
@require_POST
def job_confirm(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        component = services.component_mark_digitised(job=job, clerk=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("digitization:job", job_id=job.pk)
    messages.success(request, _("Đã xác nhận số hóa thành phần hồ sơ."))
    return redirect("dossiers:desk_detail", code=component.dossier.code)


@login_required
def certified_copy_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A paper result the citizen brings (issued before the system existed): scan it for a certified copy."""
    if request.method == "POST":
        try:
            job = services.job_create(
                uploads=request.FILES.getlist("pages"),
                user=request.user,
                purpose=JobPurpose.CERTIFIED_COPY,
                title=request.POST.get("title", "")[:500],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("digitization:job", job_id=job.pk)
    return render(request, "digitization/certified_copy.html", {})


@login_required
@require_POST
def job_certify(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.certified_copy_issue(job=job, clerk=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ký số chứng thực bản sao điện tử."))
    return redirect("digitization:job", job_id=job.pk)


@login_required
def job_certified_output(request: AuthenticatedHttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if not job.certified_output:
        raise Http404(_("Chưa có tệp kết quả."))
    return FileResponse(
        job.certified_output.open("rb"), content_type="application/pdf", filename=f"ban-sao-{job.pk}.pdf"
    )


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = search_dossiers(user=request.user, query=query) if query else []
    return render(request, "digitization/search.html", {"query": query, "hits": hits})
