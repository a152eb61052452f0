"""Requests whose user the type checker takes as signed in: the admin's narrowing helper, and the PDF
pages that an anonymous visitor may still reach."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from motcua.accounts.http import signed_in_user
from motcua.testing.factories import StaffFactory


@pytest.mark.django_db
def test_signed_in_user_gives_back_the_account_of_a_signed_in_request() -> None:
    request = RequestFactory().get("/admin/")
    request.user = StaffFactory()
    assert signed_in_user(request) is request.user


def test_signed_in_user_refuses_an_anonymous_request() -> None:
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/van-ban/giay-hen/000.00.01.H90-250701-0001.pdf", "/van-ban/so-theo-doi.pdf"]
)
def test_an_anonymous_visitor_gets_a_404_for_a_dossier_pdf_and_the_register(path: str) -> None:
    assert Client().get(path).status_code == 404
