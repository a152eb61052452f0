"""Reads of the agency tree. Agencies are public information (they appear on every receipt), so these
selectors do not check permissions; who may act *in* an agency is decided in ``accounts.selectors``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Concat

from motcua.agencies.models import Agency
from motcua.core import clock
from motcua.core.errors import NotFoundError

# Guards against a corrupt successor/parent chain (a cycle) looping forever.
_MAX_CHAIN = 50


@dataclass
class AgencyNode:
    agency: Agency
    depth: int
    children: list[AgencyNode] = field(default_factory=list)


def agency_tree(*, on: dt.date | None = None, province_code: str | None = None) -> list[AgencyNode]:
    """The agency forest ordered by code: roots (provinces) with their children, recursively.

    With ``on``, only agencies valid that day; a child whose parent is not shown becomes a root.
    """
    agencies = Agency.objects.all()
    if on is not None:
        agencies = agencies.valid_on(on)
    if province_code is not None:
        agencies = agencies.filter(code__endswith=f".{province_code}")
    nodes = {agency.pk: AgencyNode(agency=agency, depth=0) for agency in agencies.order_by("code")}
    roots: list[AgencyNode] = []
    for node in nodes.values():
        parent = nodes.get(node.agency.parent_id) if node.agency.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    _set_depths(roots, 0)
    return roots


def _set_depths(nodes: list[AgencyNode], depth: int) -> None:
    for node in nodes:
        node.depth = depth
        _set_depths(node.children, depth + 1)


def agency_tree_flat(*, on: dt.date | None = None, province_code: str | None = None) -> list[AgencyNode]:
    """``agency_tree`` walked depth-first: handy for indented lists and select boxes."""
    result: list[AgencyNode] = []

    def walk(nodes: list[AgencyNode]) -> None:
        for node in nodes:
            result.append(node)
            walk(node.children)

    walk(agency_tree(on=on, province_code=province_code))
    return result


def agencies_in_tree_order(queryset: QuerySet[Agency]) -> QuerySet[Agency]:
    """Annotate ``tree_depth`` and ``tree_path`` (codes from the root) and order by the path.

    Done in SQL so the admin change list can page and filter it; the tree is at most four levels deep
    (province → department → unit → sub-unit), deeper rows sort with their fourth-level ancestor.
    """
    sep = Value("/")
    return queryset.annotate(
        tree_depth=Case(
            When(parent__isnull=True, then=Value(0)),
            When(parent__parent__isnull=True, then=Value(1)),
            When(parent__parent__parent__isnull=True, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        ),
        tree_path=Case(
            When(parent__isnull=True, then="code"),
            When(parent__parent__isnull=True, then=Concat("parent__code", sep, "code")),
            When(
                parent__parent__parent__isnull=True,
                then=Concat("parent__parent__code", sep, "parent__code", sep, "code"),
            ),
            default=Concat(
                "parent__parent__parent__code",
                sep,
                "parent__parent__code",
                sep,
                "parent__code",
                sep,
                "code",
            ),
            output_field=CharField(),
        ),
    ).order_by("tree_path")


def agency_get_by_code(code: str, on: dt.date | None = None) -> Agency:
    """The agency with this e-ID code; with ``on``, it must also have existed that day."""
    agencies = Agency.objects.select_related("parent", "successor")
    if on is not None:
        agencies = agencies.valid_on(on)
    agency = agencies.filter(code=code.strip().upper()).first()
    if agency is None:
        raise NotFoundError(
            "Không tìm thấy cơ quan / Agency not found.",
            {"code": code, "on": on.isoformat() if on else None},
        )
    return agency


def agency_ids_with_descendants(roots: Iterable[int]) -> set[int]:
    """The given agency ids plus every agency below them (one query per tree level)."""
    result = set(roots)
    frontier = set(result)
    while frontier:
        children = set(Agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = children - result
        result |= frontier
    return result


def agency_descendant_ids(agency: Agency, *, include_self: bool = True) -> set[int]:
    """Ids of every agency below ``agency`` (units, sub-units…), with ``agency`` itself by default."""
    ids = agency_ids_with_descendants([agency.pk])
    if not include_self:
        ids.discard(agency.pk)
    return ids


def agency_ancestors(agency: Agency) -> list[Agency]:
    """``agency`` then its parent, grandparent… up to the root."""
    chain: list[Agency] = []
    current: Agency | None = agency
    while current is not None and len(chain) < _MAX_CHAIN:
        chain.append(current)
        current = current.parent
    return chain


def agency_current_successor(agency: Agency, on: dt.date | None = None) -> Agency:
    """The agency that carries on ``agency``'s duties on ``on`` (default today).

    Follows ``successor`` links (district → commune, merged province → new province) while the agency at
    hand has ended; returns ``agency`` itself while it still exists. Stops at the end of the chain even if
    that agency has ended too (it was abolished without a successor).
    """
    day = on or clock.local_today()
    current = agency
    seen = {current.pk}
    while not current.is_valid_on(day) and current.successor_id is not None:
        successor = current.successor
        assert successor is not None
        if successor.pk in seen or len(seen) > _MAX_CHAIN:
            break
        seen.add(successor.pk)
        current = successor
    return current


def service_centres(*, on: dt.date | None = None) -> QuerySet[Agency]:
    """Service centres open on ``on`` (default today), with their office hours."""
    return (
        Agency.objects.valid_on(on or clock.local_today())
        .filter(is_service_centre=True)
        .prefetch_related("office_hours")
        .order_by("code")
    )
