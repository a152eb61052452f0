"""Population pre-fill on the citizen's submission form: name and address from the national population
database (simulator behind the gateway, both in threads), not editable, the look-up recorded once as a
national-database processing the citizen sees; a register that does not match pre-fills nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from motcua.identity.models import AccessorKind, PersonalDataAccess
from motcua.simulators.national_http import serve_in_thread
from motcua.simulators.population import PopulationDatabase, population_server
from motcua.testing.gateway import gateway_served

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(settings: Any) -> Iterator[None]:
    settings.MOTCUA_NATIONAL_SYSTEMS = True
    server = population_server(db=PopulationDatabase(count=5), port=0)
    serve_in_thread(server)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with gateway_served(upstreams={"csdldc": url}, personal=("csdldc",)):
            yield
    finally:
        server.shutdown()
        server.server_close()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_is_prefilled_from_the_population_database_and_not_editable(
    citizen_an, bulletin_version, population
) -> None:  # type: ignore[no-untyped-def]
    client = _client(citizen_an)
    url = f"/ho-so/nop/{bulletin_version.procedure.local_code}/"
    page = client.get(url).content.decode()
    assert 'id="population-prefill"' in page
    assert "Báo thông tin sai" in page
    assert 'name="applicant_address"' in page
    for name in ("applicant_name", "applicant_address"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert tag is not None
        assert "disabled" in tag.group(0)
    rows = PersonalDataAccess.objects.filter(subject_id_number="001090012345")
    assert [r.accessor_kind for r in rows] == [AccessorKind.NATIONAL_DB]
    # Looked up once per session, not on every page load.
    client.get(url)
    assert rows.count() == 1
    assert "Dân cư" in rows.get().accessor or "dân cư" in rows.get().accessor


def test_a_register_that_does_not_match_prefills_nothing(citizen_an, bulletin_version, population) -> None:  # type: ignore[no-untyped-def]
    citizen_an.full_name = "Nguyễn Văn Ân Khác"
    citizen_an.save(update_fields=["full_name"])
    page = _client(citizen_an).get(f"/ho-so/nop/{bulletin_version.procedure.local_code}/").content.decode()
    assert 'id="population-prefill"' in page
    assert "không tự điền" in page
    assert "Họ tên và địa chỉ được lấy" not in page
