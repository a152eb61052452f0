from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db


def test_demo_loads_the_province_once_and_prints_logins_and_tokens() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "binh" in text
    assert "mc_demo_citizen_an_token_2026" in text
    versions, dossiers = ProcedureVersion.objects.count(), Dossier.objects.count()
    assert versions >= 30
    assert set(Dossier.objects.values_list("status", flat=True)) >= {
        "submitted",
        "intake_supplement",
        "refused_at_intake",
        "processing",
        "awaiting_supplement",
        "pending_approval",
        "approved",
        "issued",
        "returned",
        "withdrawn",
    }
    call_command("demo", stdout=StringIO())
    assert (ProcedureVersion.objects.count(), Dossier.objects.count()) == (versions, dossiers)


def test_the_printed_token_works_on_the_api() -> None:
    call_command("demo", stdout=StringIO())
    response = Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION="Bearer mc_demo_citizen_an_token_2026")
    assert response.status_code == 200
    assert len(response.json()) >= 5
