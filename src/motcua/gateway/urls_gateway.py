"""The URLconf of the gateway process (``motcua gateway serve``): nothing of the main site is reachable
there."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from motcua.gateway import endpoints

urlpatterns: list[URLPattern] = [
    path("oauth/token", endpoints.token, name="gateway-token"),
    re_path(r"^r/(?P<service_code>[A-Za-z0-9_-]{1,64})/(?P<rest>.*)$", endpoints.route, name="gateway-route"),
    path("healthz", endpoints.healthz, name="gateway-health"),
]
handler404 = endpoints.not_found
