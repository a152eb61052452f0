"""Reads of the agency tree: lookup by code, descendants, successor chains, the tree."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.agencies.models import AgencyLevel
from motcua.agencies.selectors import (
    agencies_in_tree_order,
    agency_current_successor,
    agency_descendant_ids,
    agency_get_by_code,
    agency_tree,
    agency_tree_flat,
    service_centres,
)
from motcua.core.errors import NotFoundError
from motcua.testing.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_get_by_code_finds_the_agency(culture_department) -> None:
    assert agency_get_by_code("000.00.02.h99") == culture_department


def test_get_by_code_of_an_unknown_code_is_not_found(province) -> None:
    with pytest.raises(NotFoundError):
        agency_get_by_code("000.00.77.H99")


def test_get_by_code_on_a_day_before_the_agency_existed_is_not_found(commune) -> None:
    assert agency_get_by_code(commune.code, on=dt.date(2025, 7, 1)) == commune
    with pytest.raises(NotFoundError):
        agency_get_by_code(commune.code, on=dt.date(2025, 6, 30))


def test_descendants_include_units_and_sub_units_but_not_siblings(culture_department, province) -> None:
    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level=AgencyLevel.UNIT)
    sub = AgencyFactory(code="001.01.02.H99", parent=unit, level=AgencyLevel.UNIT)
    sibling = AgencyFactory(code="000.00.03.H99", parent=province)
    ids = agency_descendant_ids(culture_department)
    assert ids == {culture_department.pk, unit.pk, sub.pk}
    assert sibling.pk not in ids
    assert agency_descendant_ids(culture_department, include_self=False) == {unit.pk, sub.pk}


def test_current_successor_follows_the_whole_chain(province) -> None:
    newest = AgencyFactory(code="000.00.40.H99", parent=province, level=AgencyLevel.COMMUNE)
    middle = AgencyFactory(
        code="000.00.41.H99", parent=province, valid_to=dt.date(2025, 12, 31), successor=newest
    )
    oldest = AgencyFactory(
        code="000.00.42.H99",
        parent=province,
        valid_from=dt.date(2008, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        successor=middle,
    )
    assert agency_current_successor(oldest) == newest
    assert agency_current_successor(oldest, on=dt.date(2025, 9, 1)) == middle
    assert agency_current_successor(newest) == newest


def test_current_successor_of_an_abolished_agency_without_successor_is_itself(province) -> None:
    gone = AgencyFactory(code="000.00.43.H99", parent=province, valid_to=dt.date(2025, 8, 1))
    assert agency_current_successor(gone) == gone


def test_current_successor_survives_a_cycle(province) -> None:
    a = AgencyFactory(code="000.00.44.H99", parent=province, valid_to=dt.date(2025, 8, 1))
    b = AgencyFactory(code="000.00.45.H99", parent=province, valid_to=dt.date(2025, 8, 1), successor=a)
    a.successor = b
    a.save()
    assert agency_current_successor(a) in {a, b}


def test_tree_nests_children_under_parents(province, culture_department, commune) -> None:
    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level=AgencyLevel.UNIT)
    (root,) = agency_tree()
    assert root.agency == province
    assert [child.agency for child in root.children] == [culture_department, commune]
    assert root.children[0].children[0].agency == unit
    assert [(n.agency.code, n.depth) for n in agency_tree_flat()] == [
        ("000.00.00.H99", 0),
        ("000.00.02.H99", 1),
        ("000.01.02.H99", 2),
        ("000.00.31.H99", 1),
    ]


def test_tree_on_a_day_leaves_out_agencies_that_did_not_exist(province, commune) -> None:
    old = AgencyFactory(
        code="000.00.20.H99",
        parent=province,
        level=AgencyLevel.DISTRICT,
        valid_from=dt.date(2008, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    codes = {n.agency.code for n in agency_tree_flat(on=dt.date(2026, 1, 1))}
    assert commune.code in codes
    assert old.code not in codes


def test_tree_order_in_sql_puts_units_under_their_parent(province, culture_department, commune) -> None:
    from motcua.agencies.models import Agency

    unit = AgencyFactory(code="000.01.02.H99", parent=culture_department, level=AgencyLevel.UNIT)
    rows = list(agencies_in_tree_order(Agency.objects.all()))
    assert rows == [province, culture_department, unit, commune]
    assert [r.tree_depth for r in rows] == [0, 1, 2, 1]  # type: ignore[attr-defined]


def test_service_centres_lists_open_centres_only(service_centre, province) -> None:
    AgencyFactory(
        code="000.01.20.H99",
        parent=province,
        is_service_centre=True,
        valid_from=dt.date(2008, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    assert list(service_centres()) == [service_centre]
