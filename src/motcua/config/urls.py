from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from motcua.config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("motcua.operations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("motcua.accounts.urls")),
    path("api/v1/", api.urls),
    path("xac-minh/", include("motcua.signatures.verify_urls")),
    path("mot-cua/ky-so/", include("motcua.signatures.batch_urls")),
    path("lgsp/", include("motcua.gateway.urls")),
    path("mot-cua/dvcqg/", include("motcua.dvcqg.urls")),
    path("", include("motcua.signatures.urls")),
    path("", include("motcua.national.urls")),
    path("", include("motcua.digitization.urls")),
    path("", include("motcua.payments.urls")),
    path("", include("motcua.dossiers.urls")),
    path("", include("motcua.identity.urls")),
    path("", include("motcua.ioc.urls")),
    path("", include("motcua.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
