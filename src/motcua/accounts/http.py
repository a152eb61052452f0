"""The request type of views that only a signed-in account reaches.

``login_required``, the staff decorators and the API's authentication (``core.auth.api_auth``) turn away
anonymous visitors before the view runs, so there ``request.user`` is a ``User``. Django builds plain
``HttpRequest`` objects; this class exists for the type checker (the pattern django-stubs documents)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from motcua.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` where only signed-in accounts get through (the admin site) but the request type
    cannot say so (an overridden ``ModelAdmin`` method). Refuses anyone else, which cannot happen there."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
