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


def test_demo_has_a_fee_to_pay_online_and_a_reconciler_through_a_group() -> None:
    from motcua.accounts.models import User
    from motcua.catalog.models import Channel
    from motcua.dossiers import services
    from motcua.dossiers.tests.conftest import pdf
    from motcua.payments.demo import FEE_PROCEDURE, RECONCILERS_GROUP
    from motcua.payments.services import amount_due

    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    binh = User.objects.get(username="binh")
    assert binh.has_perm("payments.reconcile_payments")
    assert not binh.user_permissions.exists()  # a group grant, not a one-off
    assert [g.name for g in binh.groups.all()] == [RECONCILERS_GROUP]
    assert not User.objects.get(username="chi").has_perm("payments.reconcile_payments")
    binh_line = next(line for line in text.splitlines() if line.strip().startswith("binh "))
    assert "đối soát" in binh_line
    assert FEE_PROCEDURE in text

    version = ProcedureVersion.objects.filter(procedure__local_code=FEE_PROCEDURE).latest("effective_from")
    online = [f for f in version.fees.all() if f.channel in ("", Channel.ONLINE) and f.amount > 0]
    assert online
    assert all(f.legal_basis for f in online)  # law as data: the amount's basis is shown
    an = User.objects.get(username="an")
    dossier = services.dossier_submit(
        data=services.SubmissionData(
            version=version,
            applicant=services.ApplicantData(name="Nguyễn Văn An", id_number="001090012345"),
            files={c.pk: [pdf()] for c in version.components.filter(required=True)},
        ),
        user=an,
    )
    assert dossier.payment_status == "due"
    assert amount_due(dossier) == sum(int(f.amount) for f in online)

    call_command("demo", stdout=StringIO())  # a second run: the same grants, nothing added
    assert binh.groups.count() == 1
    assert User.objects.filter(groups__name=RECONCILERS_GROUP).count() == 1
