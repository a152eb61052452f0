"""Indicator 4.2's "components digitised" (domain-vn.md §2.3) for our own dossiers: every component the
dossier was given is electronic — digitised under the procedure (scanned and checked by the clerk:
``DossierComponent.digitised``), taken from digitised data or the store, or uploaded with an online
submission. A file merely attached to a counter dossier is not a digitisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile

from motcua.dossiers.models import Dossier, DossierComponent, DossierFile
from motcua.ioc.facts import fact_refresh
from motcua.ioc.models import DossierFact, NationalRecord
from motcua.ioc.tests.conftest import record

RECEIVED = "20251001080000"


def _own_dossier(
    load: Callable[..., Any], *, channel: int
) -> tuple[Dossier, DossierComponent, DossierComponent]:
    """A dossier with two given components and one optional component not given, read as one of ours (its
    national record removed, so that only our own components decide)."""
    load(
        record(
            "DIG-1",
            4,
            KenhThucHien=channel,
            NgayTiepNhan=RECEIVED,
            NgayHenTra="20251010170000",
            TaiLieuNop=[{"TenTepDinhKem": "Đơn"}, {"TenTepDinhKem": "Bản vẽ"}],
        )
    )
    dossier = Dossier.objects.get(code="DIG-1")
    NationalRecord.objects.filter(dossier=dossier).delete()
    first, second = dossier.components.order_by("pk")
    DossierComponent.objects.create(dossier=dossier, name="Giấy tờ không bắt buộc", received=False)
    return dossier, first, second


def _attach(component: DossierComponent) -> None:
    stored = DossierFile(
        component=component, original_name="don.pdf", content_type="application/pdf", size=8, sha256="0"
    )
    stored.file.save("don.pdf", ContentFile(b"%PDF-1.7"), save=True)


def _digitised(dossier: Dossier) -> bool:
    fact_refresh(dossier)
    return DossierFact.objects.get(dossier=dossier).components_digitised


def test_a_counter_dossier_counts_when_every_given_component_was_digitised(
    load: Callable[..., Any],
) -> None:
    dossier, first, second = _own_dossier(load, channel=1)
    assert _digitised(dossier) is False
    # A file attached at the counter, not digitised under the procedure: not a digitisation.
    _attach(first)
    _attach(second)
    assert _digitised(dossier) is False
    first.digitised = True
    first.save()
    assert _digitised(dossier) is False  # one of two given components
    second.digitised = True
    second.save()
    assert _digitised(dossier) is True  # the optional component nobody gave does not count


def test_reused_or_store_components_are_electronic(load: Callable[..., Any]) -> None:
    dossier, first, second = _own_dossier(load, channel=1)
    first.digitised = True
    first.save()
    second.reused_from_store = True
    second.save()
    assert _digitised(dossier) is True


def test_an_online_dossier_counts_with_its_uploads(load: Callable[..., Any]) -> None:
    dossier, first, second = _own_dossier(load, channel=2)
    _attach(first)
    assert _digitised(dossier) is False  # the second given component has no electronic form
    _attach(second)
    assert _digitised(dossier) is True


def test_a_dossier_without_components_is_not_digitised(load: Callable[..., Any]) -> None:
    dossier, *_rest = _own_dossier(load, channel=2)
    dossier.components.all().delete()
    assert _digitised(dossier) is False
