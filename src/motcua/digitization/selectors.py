"""Permission-checked reads: a job is seen by staff who may read its dossier (and, for an archive job
without a dossier, by the person who started it); a component by the receiving clerk."""

from __future__ import annotations

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import NotFoundError
from motcua.digitization.models import DigitizationJob
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.selectors import dossier_get_for_officer, dossiers_for_officer


def job_get_for_officer(*, user: User, job_id: int) -> DigitizationJob:
    job = DigitizationJob.objects.select_related("component", "dossier").filter(pk=job_id).first()
    if job is not None:
        if job.dossier_id is None and job.created_by_id == user.pk:
            return job
        if job.dossier_id is not None and dossiers_for_officer(user=user).filter(pk=job.dossier_id).exists():
            return job
    raise NotFoundError(_("Không tìm thấy công việc số hóa."), {"job": job_id})


def component_get_for_officer(
    *, user: User, code: str, component_id: int
) -> tuple[Dossier, DossierComponent]:
    dossier = dossier_get_for_officer(user=user, code=code, kind="view", target="digitization")
    component = dossier.components.filter(pk=component_id).first()
    if component is None:
        raise NotFoundError(_("Không tìm thấy thành phần hồ sơ."), {"component": component_id})
    return dossier, component


def jobs_of_component(*, component: DossierComponent) -> list[DigitizationJob]:
    return list(component.digitization_jobs.order_by("-pk"))
