"""Public catalogue API (/api/v1/catalogue): the published procedures in force today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params.functions import Query

from motcua.catalog.models import Field, ProcedureVersion
from motcua.catalog.search import MAX_QUERY_LENGTH
from motcua.catalog.selectors import procedure_version_get_current, procedure_version_search

router = Router()


class ProcedureSummaryOut(Schema):
    local_code: str
    national_code: str
    name: str
    field: str
    level: str
    online_level: str
    time_limit_value: Decimal
    time_limit_unit: str


class ComponentOut(Schema):
    id: int
    code: str
    name: str
    copy_kind: str
    originals: int
    copies: int
    required: bool


class FeeOut(Schema):
    name: str
    kind: str
    amount: Decimal
    channel: str
    exemptions: str


class StepOut(Schema):
    order: int
    name: str
    role: str
    agency: str
    budget_value: Decimal
    budget_unit: str
    parallel_group: str
    is_approval: bool
    is_signature: bool


class ProcedureOut(ProcedureSummaryOut):
    version: int
    effective_from: dt.date
    channels: list[str]
    competent_agency: str
    receiving_agencies: list[str]
    result_name: str
    legal_basis: list[str]
    components: list[ComponentOut]
    fees: list[FeeOut]
    steps: list[StepOut]


class FieldOut(Schema):
    code: str
    name: str
    sector: str


def _summary(v: ProcedureVersion) -> dict[str, Any]:
    return {
        "local_code": v.procedure.local_code,
        "national_code": v.procedure.national_code,
        "name": v.name,
        "field": v.field.code,
        "level": v.level,
        "online_level": v.online_level,
        "time_limit_value": v.time_limit_value,
        "time_limit_unit": v.time_limit_unit,
    }


@router.get("/procedures", response=list[ProcedureSummaryOut], summary="Search procedures in force")
@paginate(LimitOffsetPagination)
def procedure_list(
    request: HttpRequest,
    # Longer queries get a 422 (the selector would truncate them; an API client should know).
    q: str = Query("", max_length=MAX_QUERY_LENGTH, description="Words to find, with or without marks."),
    field: str = "",
    level: str = "",
) -> list[dict[str, Any]]:
    """Procedures in force matching every word of ``q``, the most relevant first (the exact name, the
    phrase in the name, the words in the name, then matches in other fields; ties alphabetical)."""
    versions = procedure_version_search(query=q, field_code=field or None, level=level or None)
    return [_summary(v) for v in versions]


@router.get("/procedures/{local_code}", response=ProcedureOut, summary="One procedure with its components")
def procedure_detail(request: HttpRequest, local_code: str) -> dict[str, Any]:
    v = procedure_version_get_current(local_code=local_code)
    return {
        **_summary(v),
        "version": v.number,
        "effective_from": v.effective_from,
        "channels": v.channels,
        "competent_agency": v.competent_agency.code,
        "receiving_agencies": [a.code for a in v.receiving_agencies.all()],
        "result_name": v.result_name,
        "legal_basis": [f"{b.number} {b.title}" for b in v.legal_bases.all()],
        "components": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "copy_kind": c.copy_kind,
                "originals": c.originals,
                "copies": c.copies,
                "required": c.required,
            }
            for c in v.components.all()
        ],
        "fees": [
            {
                "name": f.name,
                "kind": f.kind,
                "amount": f.amount,
                "channel": f.channel,
                "exemptions": f.exemptions,
            }
            for f in v.fees.all()
        ],
        "steps": [
            {
                "order": s.order,
                "name": s.name,
                "role": s.role,
                "agency": s.agency.code,
                "budget_value": s.budget_value,
                "budget_unit": s.budget_unit,
                "parallel_group": s.parallel_group,
                "is_approval": s.is_approval,
                "is_signature": s.is_signature,
            }
            for s in v.steps.all()
        ],
    }


@router.get("/fields", response=list[FieldOut], summary="Fields (lĩnh vực)")
def field_list(request: HttpRequest) -> list[Field]:
    return list(Field.objects.order_by("name"))
