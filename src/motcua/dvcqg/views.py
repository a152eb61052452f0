"""The operator's reconciliation page (/mot-cua/dvcqg/doi-soat/): every dossier that differs from what
the national portal holds, each with a one-click re-sync (POST, CSRF). Administrators only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.http import AuthenticatedHttpRequest
from motcua.accounts.models import Role, StaffRole
from motcua.core import clock
from motcua.core.errors import ApplicationError
from motcua.dvcqg.models import SyncState

# The page checks the latest dossiers; `motcua dvcqg reconcile` checks them all.
PAGE_LIMIT = 500


def _administrator(request: AuthenticatedHttpRequest) -> None:
    user = request.user
    if getattr(user, "kind", "") != "staff":
        raise Http404
    if not (
        getattr(user, "is_superuser", False)
        or StaffRole.objects.active_on(clock.local_today())
        .filter(user=user, role=Role.ADMINISTRATOR)
        .exists()
    ):
        raise Http404


@login_required
def reconciliation(request: AuthenticatedHttpRequest) -> HttpResponse:
    from motcua.dvcqg.selectors import dossiers_to_reconcile, reconcile_one

    _administrator(request)
    dossiers = list(dossiers_to_reconcile().order_by("-pk")[:PAGE_LIMIT])
    counts = {"checked": 0, "matched": 0, "different": 0, "missing": 0, "unreachable": 0}
    items = []
    for dossier in dossiers:
        outcome = reconcile_one(dossier)
        counts["checked"] += 1
        counts[outcome["state"]] += 1
        if outcome["state"] != "matched":
            items.append(outcome)
    states = {
        s.dossier.code: s for s in SyncState.objects.filter(dossier__in=dossiers).select_related("dossier")
    }
    for item in items:
        item["sync"] = states.get(item["code"])
    return render(
        request, "dvcqg/reconciliation.html", {"counts": counts, "items": items, "limit": PAGE_LIMIT}
    )


@require_POST
@login_required
def resync(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    from motcua.dvcqg.services import dossier_resync

    _administrator(request)
    try:
        dossier_resync(code=code)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đồng bộ lại hồ sơ %(code)s.") % {"code": code})
    return redirect("dvcqg:reconciliation")
