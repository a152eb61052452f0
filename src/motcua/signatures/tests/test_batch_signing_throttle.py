"""The password typed again to sign a batch cannot be guessed (review F4): 5 failures, then a pause."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from motcua.core.throttle import ThrottledError
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import DossierStatus
from motcua.signatures.batch import results_batch_sign
from motcua.signatures.tests.test_batch_signing import PASSWORD, three  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_stop_even_the_right_one(three, leader_dung) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    client = Client()
    client.force_login(leader_dung)
    for n in range(5):
        page = client.post("/mot-cua/ky-so/", {"codes": [three[0].code], "password": f"sai-{n}"})
        assert "Mật khẩu không đúng" in page.content.decode()
    page = client.post("/mot-cua/ky-so/", {"codes": [three[0].code], "password": PASSWORD})
    assert "quá nhiều lần" in page.content.decode()
    assert Dossier.objects.get(pk=three[0].pk).status == DossierStatus.PENDING_APPROVAL


def test_signing_works_again_after_the_window(three, leader_dung) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    for n in range(5):
        with pytest.raises(Exception, match="Xác thực ký số"):
            results_batch_sign(leader=leader_dung, codes=[three[0].code], password=f"sai-{n}")
    with pytest.raises(ThrottledError):
        results_batch_sign(leader=leader_dung, codes=[three[0].code], password=PASSWORD)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16), tick=False):
        outcome = results_batch_sign(leader=leader_dung, codes=[three[0].code], password=PASSWORD)
    assert outcome.signed == [three[0].code]
