"""The implementation of ``dossiers.registries.Registries`` (registered in ``NationalConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailedError
from motcua.dossiers.models import ApplicantKind
from motcua.dossiers.registries import ApplicantCheck

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier


class NationalRegistries:
    def applicant_check(
        self,
        *,
        kind: str,
        id_number: str,
        name: str,
        birth_date: dt.date | None,
        purpose: str,
        actor: User | None,
        dossier: Dossier | None = None,
    ) -> ApplicantCheck:
        if not settings.MOTCUA_NATIONAL_SYSTEMS:
            return ApplicantCheck("skipped", _("Chưa kết nối cơ sở dữ liệu quốc gia."))
        if kind == ApplicantKind.BUSINESS:
            from motcua.national.business import lookup_enterprise

            system = _("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp")
            try:
                firm = lookup_enterprise(id_number, purpose=purpose, actor=actor, dossier=dossier)
            except ValidationFailedError as exc:
                return ApplicantCheck("not_found", exc.message, system)
            prefill = (
                {"applicant_name": firm.name, "applicant_address": firm.address}
                if firm.status == "found"
                else {}
            )
            return ApplicantCheck(firm.status, firm.message, system, prefill)
        from motcua.national.population import lookup_citizen

        system = _("Cơ sở dữ liệu quốc gia về dân cư")
        try:
            found = lookup_citizen(
                id_number,
                purpose=purpose,
                full_name=name,
                birth_date=birth_date,
                actor=actor,
                dossier=dossier,
            )
        except ValidationFailedError as exc:
            return ApplicantCheck("not_found", exc.message, system)
        prefill = {}
        if found.status == "found":
            prefill = {"applicant_name": found.full_name, "applicant_address": found.address}
        return ApplicantCheck(found.status, found.message, system, prefill)

    def post_order_request(self, *, dossier: Dossier, kind: str, actor: User | None) -> None:
        from motcua.national.post import post_order_queue

        post_order_queue(dossier=dossier, kind=kind, actor=actor)

    def post_tracking(self, *, dossier: Dossier) -> list[dict[str, Any]]:
        from motcua.national.post import post_orders_of

        return post_orders_of(dossier)
