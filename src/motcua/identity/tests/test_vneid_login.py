"""Login with the national e-identity: the portal (Authlib) against the VNeID simulator served in a
thread — discovery, PKCE, the ID token's checks (signature, audience, nonce, expiry), each refusal logged,
and the rules that link a verified identity to an account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from motcua.accounts.models import AccountKind, User
from motcua.identity.models import LoginPolicy, VneidLink, VneidLoginFailure
from motcua.simulators.vneid import Client as OidcClient
from motcua.simulators.vneid import VneidProvider, vneid_serve_in_thread, vneid_server
from motcua.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)

CLIENT_ID = "motcua-test"
SECRET = "test-secret-123"


@pytest.fixture
def vneid(settings: Any) -> Iterator[VneidProvider]:
    settings.SITE_URL = "http://testserver"
    settings.MOTCUA_VNEID_CLIENT_ID = CLIENT_ID
    settings.MOTCUA_VNEID_CLIENT_SECRET = SECRET
    client = OidcClient(CLIENT_ID, SECRET, ("http://testserver/dang-nhap/vneid/callback/",))
    server, provider = vneid_server(issuer="http://127.0.0.1", clients={CLIENT_ID: client}, port=0)
    settings.MOTCUA_VNEID_URL = provider.issuer
    vneid_serve_in_thread(server)
    yield provider
    server.shutdown()
    server.server_close()


def login_via_vneid(browser: Client, id_number: str, *, fault: str = "") -> Any:
    """The citizen's round trip: our redirect, the provider's login page (a choice), the callback."""
    start = browser.get("/dang-nhap/vneid/")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"]
    assert params["nonce"]
    page = requests.get(authorize, timeout=5)
    assert page.status_code == 200
    assert id_number in page.text
    chosen = requests.post(
        authorize.split("?")[0],
        data={**params, "citizen": id_number, "fault": fault},
        allow_redirects=False,
        timeout=5,
    )
    assert chosen.status_code == 302
    callback = urlsplit(chosen.headers["Location"])
    return browser.get(f"{callback.path}?{callback.query}")


def test_the_discovery_document_and_jwks_are_served(vneid: VneidProvider) -> None:
    doc = requests.get(f"{vneid.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert doc["issuer"] == vneid.issuer
    assert doc["code_challenge_methods_supported"] == ["S256"]
    keys = requests.get(doc["jwks_uri"], timeout=5).json()["keys"]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"


def test_first_login_creates_a_citizen_account_with_the_verified_identity(vneid: VneidProvider) -> None:
    browser = Client()
    response = login_via_vneid(browser, "031088004512")
    assert response.status_code == 302
    assert response["Location"] == "/ho-so/"
    user = User.objects.get(national_id="031088004512")
    assert (user.kind, user.full_name, user.has_usable_password()) == (
        AccountKind.CITIZEN,
        "Phạm Quốc Bảo",
        False,
    )
    assert VneidLink.objects.get(user=user).assurance_level == "2"
    assert browser.get("/ho-so/").status_code == 200


def test_first_login_links_the_existing_account_with_the_same_id_number(vneid: VneidProvider) -> None:
    an = UserFactory(username="an", full_name="Nguyễn Văn An", national_id="001090012345")
    login_via_vneid(Client(), "001090012345")
    assert VneidLink.objects.get().user == an
    assert User.objects.filter(national_id="001090012345").count() == 1
    # The second login finds the link (same pairwise subject), no new account.
    login_via_vneid(Client(), "001090012345")
    assert VneidLink.objects.count() == 1
    assert User.objects.count() == 1


def test_a_staff_account_with_the_id_number_is_never_taken_over(vneid: VneidProvider) -> None:
    UserFactory(username="staff1", kind=AccountKind.STAFF, national_id="001090012345")
    response = login_via_vneid(Client(), "001090012345")
    assert response.status_code == 403
    assert "cán bộ" in response.content.decode()
    assert not VneidLink.objects.exists()
    assert VneidLoginFailure.objects.get().reason == "not_citizen"


def test_an_identity_below_level_2_is_refused(vneid: VneidProvider) -> None:
    response = login_via_vneid(Client(), "001201000777")
    assert response.status_code == 403
    assert VneidLoginFailure.objects.get().reason == "level"
    assert not User.objects.filter(national_id="001201000777").exists()


@pytest.mark.parametrize(
    ("fault", "reason", "words"),
    [
        ("bad_signature", "bad_signature", "Chữ ký"),
        ("wrong_audience", "wrong_audience", "không cấp cho cổng"),
        ("wrong_nonce", "wrong_nonce", "nonce"),
        ("expired", "expired", "hết hạn"),
    ],
)
def test_a_bad_id_token_is_refused_with_a_clear_message_and_logged(
    vneid: VneidProvider, fault: str, reason: str, words: str
) -> None:
    browser = Client()
    response = login_via_vneid(browser, "031088004512", fault=fault)
    assert response.status_code == 400
    assert words in response.content.decode()
    failure = VneidLoginFailure.objects.get()
    assert failure.reason == reason
    assert not User.objects.filter(national_id="031088004512").exists()
    assert "_auth_user_id" not in browser.session


def test_a_replayed_callback_is_refused(vneid: VneidProvider) -> None:
    browser = Client()
    start = browser.get("/dang-nhap/vneid/")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    chosen = requests.post(
        f"{vneid.issuer}/authorize",
        data={**params, "citizen": "031088004512"},
        allow_redirects=False,
        timeout=5,
    )
    callback = urlsplit(chosen.headers["Location"])
    assert browser.get(f"{callback.path}?{callback.query}").status_code == 302
    # The state was consumed: the same answer again is refused (no session state for it).
    again = Client().get(f"{callback.path}?{callback.query}")
    assert again.status_code == 400
    assert VneidLoginFailure.objects.filter(reason="provider_error").exists()


def test_the_administrator_can_turn_password_login_off_for_citizens_not_staff(db: None) -> None:
    UserFactory(username="lan", kind=AccountKind.CITIZEN, national_id="001195006789", password="pw-Lan-2026!")
    UserFactory(username="binh", kind=AccountKind.STAFF, password="pw-Binh-2026!")
    form = {"username": "lan", "password": "pw-Lan-2026!"}
    assert Client().post("/accounts/login/", form).status_code == 302
    LoginPolicy.objects.create(citizen_password_login=False)
    refused = Client().post("/accounts/login/", form)
    assert refused.status_code == 200
    assert "VNeID" in refused.content.decode()
    assert (
        Client().post("/accounts/login/", {"username": "binh", "password": "pw-Binh-2026!"}).status_code
        == 302
    )


# --- the claim names are configuration (MOTCUA_VNEID_CLAIM_*), an assumption until the guide ------------


def test_the_default_claim_names_are_the_ones_documented() -> None:
    from motcua.identity.vneid import identity_from_claims

    found = identity_from_claims(
        {"sub": "s1", "so_dinh_danh": "001090012345", "ho_va_ten": "Nguyễn Văn An", "ngay_sinh": "1990-01-01",
         "muc_do_dinh_danh": "2"}
    )  # fmt: skip
    assert (found.subject, found.id_number, found.full_name, found.birth_date, found.level) == (
        "s1",
        "001090012345",
        "Nguyễn Văn An",
        "1990-01-01",
        "2",
    )


def test_a_changed_mapping_is_honoured(settings: Any) -> None:
    from motcua.identity.vneid import VneidLoginError, identity_from_claims

    settings.MOTCUA_VNEID_CLAIMS = {
        "id_number": ["personal_identity_number"],
        "full_name": ["full_name"],
        "level": ["loa"],
    }
    claims = {
        "sub": "s2",
        "personal_identity_number": "031088004512",
        "full_name": "Phạm Quốc Bảo",
        "birthdate": "1988-05-12",
        "loa": "urn:vneid:loa:2",
        "so_dinh_danh": "001090012345",  # the default name no longer counts
    }
    found = identity_from_claims(claims)
    assert (found.id_number, found.full_name, found.birth_date, found.level) == (
        "031088004512",
        "Phạm Quốc Bảo",
        "1988-05-12",  # fields left out keep their defaults
        "2",
    )
    with pytest.raises(VneidLoginError) as refused:
        identity_from_claims({"sub": "s3", "so_dinh_danh": "001090012345"})
    assert refused.value.reason == "missing_claim"


def test_a_login_through_the_simulator_with_a_renamed_mapping(settings: Any) -> None:
    """The whole round trip: the simulator issues the province's names, the portal reads only those."""
    settings.SITE_URL = "http://testserver"
    settings.MOTCUA_VNEID_CLIENT_ID = CLIENT_ID
    settings.MOTCUA_VNEID_CLIENT_SECRET = SECRET
    settings.MOTCUA_VNEID_CLAIMS = {"id_number": ["cccd"], "full_name": ["hoTen"], "level": ["mucDo"]}
    client = OidcClient(CLIENT_ID, SECRET, ("http://testserver/dang-nhap/vneid/callback/",))
    server, provider = vneid_server(
        issuer="http://127.0.0.1",
        clients={CLIENT_ID: client},
        port=0,
        claim_names={"id_number": "cccd", "full_name": "hoTen", "level": "mucDo"},
    )
    settings.MOTCUA_VNEID_URL = provider.issuer
    vneid_serve_in_thread(server)
    try:
        assert (
            "cccd"
            in requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()[
                "claims_supported"
            ]
        )
        assert login_via_vneid(Client(), "031088004512").status_code == 302
    finally:
        server.shutdown()
        server.server_close()
    link = VneidLink.objects.get()
    assert (link.id_number, link.user.full_name, link.assurance_level) == (
        "031088004512",
        "Phạm Quốc Bảo",
        "2",
    )
