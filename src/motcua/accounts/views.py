from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/two_factor.html", {})
